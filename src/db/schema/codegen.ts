import { sql } from 'drizzle-orm';
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { companies, projects } from './tenancy';
import { users } from './users';

/**
 * Code-generation jobs and the token ledger (issue #6). A job row is written before the API
 * answers, so its status survives restarts; the lease columns say which instance tracks it.
 */

export const codegenJobStatus = pgEnum('codegen_job_status', [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
]);
export const codegenJobKind = pgEnum('codegen_job_kind', ['codegen', 'plan']);
export const codegenEngine = pgEnum('codegen_engine', ['builtin', 'kuberag']);

export interface CodegenJobInput {
  graph: { nodes: unknown[]; edges: unknown[] };
  context: string[];
  projectName: string;
}

export const codegenJobs = pgTable(
  'codegen_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    kind: codegenJobKind('kind').notNull(),
    engine: codegenEngine('engine').notNull(),
    modelProvider: text('model_provider').notNull(),
    modelName: text('model_name').notNull(),
    upstreamJobId: text('upstream_job_id'),
    status: codegenJobStatus('status').notNull().default('queued'),
    progress: integer('progress').notNull().default(0),
    step: text('step'),
    error: text('error'),
    /** Bumped on every status change; subscribers drop anything not newer than what they sent. */
    version: integer('version').notNull().default(1),
    input: jsonb('input').$type<CodegenJobInput>().notNull(),
    result: jsonb('result').$type<Record<string, unknown>>(),
    tokensReserved: integer('tokens_reserved').notNull().default(0),
    tokensUsed: integer('tokens_used'),
    settledAt: timestamp('settled_at', { withTimezone: true }),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('codegen_jobs_company_idx').on(t.companyId, t.createdAt),
    index('codegen_jobs_project_idx').on(t.projectId, t.createdAt),
    index('codegen_jobs_user_idx').on(t.userId),
    // The sweeper looks only at unfinished jobs.
    index('codegen_jobs_open_lease_idx')
      .on(t.leaseExpiresAt)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
);

export type CodegenJobRow = typeof codegenJobs.$inferSelect;

/** Every change of a company's token balance made by code generation, with the balance after. */
export const tokenLedger = pgTable(
  'token_ledger',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id),
    jobId: uuid('job_id').references(() => codegenJobs.id),
    userId: integer('user_id').references(() => users.id),
    /** Negative for a debit, positive for a credit. */
    amount: integer('amount').notNull(),
    reason: text('reason').notNull(),
    balanceAfter: integer('balance_after').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('token_ledger_company_idx').on(t.companyId, t.id),
    index('token_ledger_job_idx').on(t.jobId),
  ],
);

export type TokenLedgerRow = typeof tokenLedger.$inferSelect;
