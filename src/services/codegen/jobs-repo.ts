import { and, count, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { type CodegenJobRow, codegenJobs } from '../../db/schema';
import { OPEN_STATUSES, TERMINAL_STATUSES } from './job-status';

/**
 * The SQL of code-generation jobs. Status writes never overwrite a terminal state, and every
 * write bumps `version`, which is what subscribers use to order updates.
 */

export type NewJob = typeof codegenJobs.$inferInsert;

export interface StatusPatch {
  status?: CodegenJobRow['status'];
  progress?: number;
  step?: string | null;
  error?: string | null;
  result?: Record<string, unknown>;
  upstreamJobId?: string;
}

const leaseUntil = (ms: number) => sql`now() + (${ms} * interval '1 millisecond')`;

export async function insertJob(q: Queryable, job: NewJob, leaseMs: number) {
  const [row] = await q
    .insert(codegenJobs)
    .values({ ...job, leaseExpiresAt: leaseUntil(leaseMs) })
    .returning();
  return row!;
}

export async function findJob(q: Queryable, id: string): Promise<CodegenJobRow | undefined> {
  const [row] = await q.select().from(codegenJobs).where(eq(codegenJobs.id, id));
  return row;
}

export async function findJobs(q: Queryable, ids: string[]): Promise<CodegenJobRow[]> {
  if (ids.length === 0) return [];
  return q.select().from(codegenJobs).where(inArray(codegenJobs.id, ids));
}

/** Applies a status change unless the job already finished; undefined when it had. */
export async function updateOpenJob(
  q: Queryable,
  id: string,
  patch: StatusPatch,
  owner?: string,
): Promise<CodegenJobRow | undefined> {
  const terminal = patch.status !== undefined && TERMINAL_STATUSES.has(patch.status);
  const conditions: SQL[] = [
    eq(codegenJobs.id, id),
    inArray(codegenJobs.status, [...OPEN_STATUSES]),
  ];
  // A tracker that lost its lease must not write over the new owner's updates.
  if (owner !== undefined) conditions.push(eq(codegenJobs.leaseOwner, owner));
  const [row] = await q
    .update(codegenJobs)
    .set({
      ...patch,
      version: sql`${codegenJobs.version} + 1`,
      updatedAt: sql`now()`,
      ...(terminal ? { finishedAt: sql`now()`, leaseOwner: null, leaseExpiresAt: null } : {}),
    })
    .where(and(...conditions))
    .returning();
  return row;
}

/**
 * Extends the leases of the jobs this instance is actually working on; returns the ids it
 * still owns. A job it owns but no longer works on (its run crashed) is left to expire, so a
 * sweeper picks it up again.
 */
export async function renewLeases(q: Queryable, owner: string, leaseMs: number, ids: string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows = await q
    .update(codegenJobs)
    .set({ leaseExpiresAt: leaseUntil(leaseMs) })
    .where(
      and(
        eq(codegenJobs.leaseOwner, owner),
        inArray(codegenJobs.id, ids),
        inArray(codegenJobs.status, [...OPEN_STATUSES]),
      ),
    )
    .returning({ id: codegenJobs.id });
  return new Set(rows.map((r) => r.id));
}

/**
 * Takes over unfinished jobs whose lease ran out (their tracker died). SKIP LOCKED lets
 * several instances sweep at once without claiming the same job twice.
 */
export async function claimExpired(
  q: Queryable,
  owner: string,
  leaseMs: number,
  limit = 20,
): Promise<CodegenJobRow[]> {
  const expired = q
    .select({ id: codegenJobs.id })
    .from(codegenJobs)
    .where(
      and(
        inArray(codegenJobs.status, [...OPEN_STATUSES]),
        or(isNull(codegenJobs.leaseExpiresAt), lt(codegenJobs.leaseExpiresAt, sql`now()`)),
      ),
    )
    .orderBy(codegenJobs.leaseExpiresAt)
    .limit(limit)
    .for('update', { skipLocked: true });
  return q
    .update(codegenJobs)
    .set({ leaseOwner: owner, leaseExpiresAt: leaseUntil(leaseMs) })
    .where(inArray(codegenJobs.id, expired))
    .returning();
}

/** On a clean shutdown: let another instance take over at its next sweep. */
export async function releaseLeases(q: Queryable, owner: string) {
  await q
    .update(codegenJobs)
    .set({ leaseExpiresAt: sql`now()` })
    .where(and(eq(codegenJobs.leaseOwner, owner), inArray(codegenJobs.status, [...OPEN_STATUSES])));
}

export async function listJobs(
  q: Queryable,
  filter: { projectId: number },
  page: { page: number; limit: number },
) {
  const where = eq(codegenJobs.projectId, filter.projectId);
  const [rows, [total]] = await Promise.all([
    q
      .select()
      .from(codegenJobs)
      .where(where)
      .orderBy(desc(codegenJobs.createdAt), desc(codegenJobs.id))
      .limit(page.limit)
      .offset((page.page - 1) * page.limit),
    q.select({ value: count() }).from(codegenJobs).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}
