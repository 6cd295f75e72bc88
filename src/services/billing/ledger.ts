import type { Queryable } from '../../db/client';
import { tokenLedger } from '../../db/schema';

/**
 * Every change of a company's token balance is a row here, written in the same transaction as
 * the change and carrying the balance it produced, so the balance can always be explained:
 * grants at creation, admin adjustments, and the reservations, refunds and charges of jobs.
 */
export interface LedgerEntry {
  companyId: string;
  jobId?: string;
  userId?: number | null;
  amount: number;
  reason: string;
  balanceAfter: number;
  details?: Record<string, unknown>;
}

export function recordLedger(q: Queryable, entry: LedgerEntry) {
  return q.insert(tokenLedger).values({
    companyId: entry.companyId,
    jobId: entry.jobId,
    userId: entry.userId ?? null,
    amount: entry.amount,
    reason: entry.reason,
    balanceAfter: entry.balanceAfter,
    details: entry.details,
  });
}
