CREATE TYPE "public"."codegen_engine" AS ENUM('builtin', 'kuberag');--> statement-breakpoint
CREATE TYPE "public"."codegen_job_kind" AS ENUM('codegen', 'plan');--> statement-breakpoint
CREATE TYPE "public"."codegen_job_status" AS ENUM('queued', 'running', 'succeeded', 'failed', 'cancelled');--> statement-breakpoint
CREATE TABLE "codegen_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"project_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"kind" "codegen_job_kind" NOT NULL,
	"engine" "codegen_engine" NOT NULL,
	"model_provider" text NOT NULL,
	"model_name" text NOT NULL,
	"upstream_job_id" text,
	"status" "codegen_job_status" DEFAULT 'queued' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"step" text,
	"error" text,
	"version" integer DEFAULT 1 NOT NULL,
	"input" jsonb NOT NULL,
	"result" jsonb,
	"tokens_reserved" integer DEFAULT 0 NOT NULL,
	"tokens_used" integer,
	"settled_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "token_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"company_id" uuid NOT NULL,
	"job_id" uuid,
	"user_id" integer,
	"amount" integer NOT NULL,
	"reason" text NOT NULL,
	"balance_after" integer NOT NULL,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "codegen_jobs" ADD CONSTRAINT "codegen_jobs_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "codegen_jobs" ADD CONSTRAINT "codegen_jobs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "codegen_jobs" ADD CONSTRAINT "codegen_jobs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_ledger" ADD CONSTRAINT "token_ledger_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_ledger" ADD CONSTRAINT "token_ledger_job_id_codegen_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."codegen_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_ledger" ADD CONSTRAINT "token_ledger_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "codegen_jobs_company_idx" ON "codegen_jobs" USING btree ("company_id","created_at");--> statement-breakpoint
CREATE INDEX "codegen_jobs_project_idx" ON "codegen_jobs" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE INDEX "codegen_jobs_user_idx" ON "codegen_jobs" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "codegen_jobs_open_lease_idx" ON "codegen_jobs" USING btree ("lease_expires_at") WHERE "codegen_jobs"."status" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "token_ledger_company_idx" ON "token_ledger" USING btree ("company_id","id");--> statement-breakpoint
CREATE INDEX "token_ledger_job_idx" ON "token_ledger" USING btree ("job_id");