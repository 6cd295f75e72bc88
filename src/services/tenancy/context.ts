import type { Logger } from 'pino';
import type { Mailer } from '../../clients/mail/smtp';
import type { Database, Queryable, Transaction } from '../../db/client';
import { sqlStateOf } from '../../db/errors';
import type { Clock } from '../../lib/clock';
import { AppError, ConflictError } from '../../lib/errors';
import type { RequestMeta } from '../audit/audit-service';
import type { AuthUser } from '../auth/types';

/** Everything tenancy functions need besides their arguments. */
export interface TenancyContext {
  db: Database;
  clock: Clock;
  /** Absolute base URL used for invitation links. */
  appUrl: string;
  /** Called after a commit that changed a user's memberships (refreshes cached users). */
  onUserChanged(userId: number): Promise<void>;
  /** Set when SMTP_URL is configured: invitations are then also mailed. */
  mailer?: Mailer;
  logger?: Pick<Logger, 'warn'>;
}

/** The caller: a signed-in user, or null for anonymous requests. */
export type Actor = AuthUser | null;

/** One call into a write path: the open transaction, who acts and from where. */
export interface WriteCall {
  tx: Transaction;
  ctx: TenancyContext;
  actor: AuthUser;
  meta: RequestMeta;
  /** User ids whose cached identity must be refreshed once the transaction commits. */
  touchedUsers: Set<number>;
}

export type { Queryable, Transaction };

export class InsufficientTokensError extends AppError {
  constructor(balance: number, needed: number) {
    super('INSUFFICIENT_TOKENS', 'Company token balance too low', { balance, needed });
  }
}

export const now = (ctx: TenancyContext) => new Date(ctx.clock.now());

/** PostgreSQL unique_violation, through whichever wrapper the driver or Drizzle adds. */
export function isUniqueViolation(err: unknown): boolean {
  return sqlStateOf(err) === '23505';
}

/** Runs an insert/update that may hit a unique index and turns that into a 409. */
export async function uniquely<T>(message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(message);
    throw err;
  }
}

/**
 * The fields of a PATCH body that would change the row: present (not undefined) and different
 * from the current value. Only `keys` are looked at, so a patch cannot reach other columns.
 */
export function requestedChanges<Row, K extends keyof Row & string>(
  before: Row,
  patch: Partial<Pick<Row, K>>,
  keys: readonly K[],
): Partial<Pick<Row, K>> {
  const changes: Partial<Pick<Row, K>> = {};
  for (const key of keys) {
    const value = patch[key];
    if (value !== undefined && value !== before[key]) changes[key] = value;
  }
  return changes;
}

/** `{field: {before, after}}` for the fields that differ: the audit detail of an update. */
export function changedFields<T extends Record<string, unknown>>(
  before: T,
  after: T,
  keys: readonly (keyof T & string)[],
): Record<string, { before: unknown; after: unknown }> {
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) out[key] = { before: a, after: b };
  }
  return out;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const SLUG_PATTERN = SLUG;

/** A DNS-label-like slug from a display name ("Platform Team" → "platform-team"). */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return slug || 'unnamed';
}
