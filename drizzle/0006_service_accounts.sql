ALTER TABLE "users" ADD COLUMN "service_account" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Certificates made before this column existed: their principals are service accounts too.
UPDATE "users" SET "service_account" = true WHERE "id" IN (SELECT "service_user_id" FROM "company_certificates" WHERE "service_user_id" IS NOT NULL);
