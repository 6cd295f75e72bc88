import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { type CodegenJobRow, codegenJobs, companies, tokenLedger } from '../../db/schema';
import { NotFoundError } from '../../lib/errors';
import { recordLedger } from '../billing/ledger';
import { InsufficientTokensError } from '../tenancy';

/**
 * Company token accounting for KubeRAG jobs. Every balance change is one conditional UPDATE
 * (the row lock serialises concurrent jobs, and the condition keeps the balance at or above
 * zero) followed by a ledger row carrying the balance it produced, in the caller's transaction.
 */

export { type LedgerEntry, recordLedger } from '../billing/ledger';

/**
 * Takes up to `max` tokens; never more than the balance. Returns what was taken and the new
 * balance. The row is locked first so a concurrent debit sees the balance this one leaves.
 * FOR NO KEY UPDATE, not FOR UPDATE: the same transaction has usually inserted rows that
 * reference the company (KEY SHARE locks from foreign keys), and two such transactions asking
 * for FOR UPDATE deadlock each other; NO KEY UPDATE does not conflict with KEY SHARE.
 * Deleted companies are not skipped: a job that finishes after its company was deleted must
 * still settle (submission itself only ever reaches here for a live company the caller sees).
 */
export async function debitUpTo(q: Queryable, companyId: string, max: number) {
  const rows = await q.execute<{ taken: number; balance: number }>(sql`
    with current as (
      select ${companies.id} as id, ${companies.tokens} as tokens from ${companies}
      where ${companies.id} = ${companyId}
      for no key update
    )
    update ${companies} set tokens = current.tokens - least(current.tokens, ${max})
    from current where ${companies.id} = current.id
    returning least(current.tokens, ${max})::int as taken, ${companies.tokens} as balance`);
  // postgres-js returns the rows, PGlite an object holding them.
  const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: typeof rows }).rows;
  const row = list[0] as { taken: number; balance: number } | undefined;
  if (!row) throw new NotFoundError('Company');
  return { taken: Number(row.taken), balance: Number(row.balance) };
}

async function credit(q: Queryable, companyId: string, amount: number): Promise<number> {
  const [row] = await q
    .update(companies)
    .set({ tokens: sql`${companies.tokens} + ${amount}` })
    .where(eq(companies.id, companyId))
    .returning({ tokens: companies.tokens });
  return row!.tokens;
}

/**
 * Submission: the balance must be positive; reserves min(estimate, balance). 402 otherwise.
 * Returns the reserved amount.
 */
export async function reserveTokens(
  q: Queryable,
  job: { companyId: string; jobId: string; userId: number },
  estimate: number,
): Promise<number> {
  const { taken, balance } = await debitUpTo(q, job.companyId, estimate);
  if (taken <= 0) throw new InsufficientTokensError(balance, 1);
  await recordLedger(q, {
    companyId: job.companyId,
    jobId: job.jobId,
    userId: job.userId,
    amount: -taken,
    reason: 'codegen.reserve',
    balanceAfter: balance,
    details: { estimate },
  });
  await q.update(codegenJobs).set({ tokensReserved: taken }).where(eq(codegenJobs.id, job.jobId));
  return taken;
}

/**
 * Settles a finished job against the usage KubeRAG reported, exactly once (settled_at is set
 * under the same condition). Unused reservation is refunded; usage beyond it is charged as far
 * as the balance allows, and any shortfall is recorded rather than taking the balance negative.
 */
export async function settleJob(q: Queryable, job: CodegenJobRow, used: number): Promise<void> {
  const [claimed] = await q
    .update(codegenJobs)
    .set({ settledAt: sql`now()`, tokensUsed: used })
    .where(and(eq(codegenJobs.id, job.id), isNull(codegenJobs.settledAt)))
    .returning({ reserved: codegenJobs.tokensReserved });
  if (!claimed) return;
  const diff = claimed.reserved - used;
  const base = { companyId: job.companyId, jobId: job.id, userId: job.userId };
  if (diff > 0) {
    const balance = await credit(q, job.companyId, diff);
    await recordLedger(q, {
      ...base,
      amount: diff,
      reason: 'codegen.refund',
      balanceAfter: balance,
      details: { reserved: claimed.reserved, used },
    });
  } else if (diff < 0) {
    const { taken, balance } = await debitUpTo(q, job.companyId, -diff);
    await recordLedger(q, {
      ...base,
      amount: -taken,
      reason: 'codegen.charge',
      balanceAfter: balance,
      details: { reserved: claimed.reserved, used, shortfall: -diff - taken },
    });
  }
}

export async function listLedger(
  q: Queryable,
  companyId: string,
  page: { page: number; limit: number },
) {
  const where = eq(tokenLedger.companyId, companyId);
  const [rows, [total]] = await Promise.all([
    q
      .select()
      .from(tokenLedger)
      .where(where)
      .orderBy(desc(tokenLedger.id))
      .limit(page.limit)
      .offset((page.page - 1) * page.limit),
    q.select({ value: count() }).from(tokenLedger).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}
