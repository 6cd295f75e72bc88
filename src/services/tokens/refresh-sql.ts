import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import type { UserRole } from '../../db/schema';

/**
 * The statements of a refresh rotation in plain SQL. They run on every refresh, and the query
 * builder (and a transaction) cost about three times the CPU of the statements themselves
 * (measured: ~300 µs against ~100 µs per statement on the 2-core machine), which capped the
 * grant rate. The common case is two statements and no transaction: read, then rotate.
 */

export interface LockedRefreshToken {
  id: string;
  familyId: string;
  userId: number;
  clientId: string;
  scopes: string[];
  expiresAt: Date;
  usedAt: Date | null;
  replacedBy: string | null;
  rotationResponse: string | null;
  revokedAt: Date | null;
  role: UserRole;
  active: boolean;
}

/** postgres.js returns the rows; PGlite an object holding them. */
function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  return ((result as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
}

const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

/**
 * The token with its owner; with `lock`, row-locked so that concurrent refreshes of it queue
 * behind the transaction holding it.
 */
export async function readRefreshToken(
  q: Queryable,
  tokenHash: string,
  lock: boolean,
): Promise<LockedRefreshToken | undefined> {
  const [r] = rowsOf(
    await q.execute(sql`
      select t.id, t.family_id, t.user_id, t.client_id, t.scopes, t.expires_at, t.used_at,
             t.replaced_by, t.rotation_response, t.revoked_at, u.role,
             (u.deleted_at is null and u.disabled_at is null) as active
        from refresh_tokens t
        join users u on u.id = t.user_id
       where t.token_hash = ${tokenHash}
       ${lock ? sql`for update of t` : sql``}`),
  );
  if (!r) return undefined;
  return {
    id: r.id as string,
    familyId: r.family_id as string,
    userId: Number(r.user_id),
    clientId: r.client_id as string,
    scopes: r.scopes as string[],
    expiresAt: date(r.expires_at)!,
    usedAt: date(r.used_at),
    replacedBy: (r.replaced_by as string | null) ?? null,
    rotationResponse: (r.rotation_response as string | null) ?? null,
    revokedAt: date(r.revoked_at),
    role: r.role as UserRole,
    active: r.active === true || r.active === 't',
  };
}

export interface NewRefreshRow {
  id: string;
  familyId: string;
  userId: number;
  tokenHash: string;
  clientId: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date;
}

/** Scopes come from the fixed set read/write/admin; the literal is built for text[]. */
const textArray = (values: string[]) =>
  `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/**
 * One statement: marks the token used only if nobody did yet (the conditional update is the
 * arbiter between concurrent refreshes: exactly one wins) and inserts its successor only then.
 * Returns whether this call won.
 */
export async function rotateIfUnused(
  q: Queryable,
  usedId: string,
  usedAt: Date,
  next: NewRefreshRow,
  encryptedResponse: string,
): Promise<boolean> {
  const rows = rowsOf(
    await q.execute(sql`
      with used as (
        update refresh_tokens
           set used_at = ${usedAt.toISOString()}::timestamptz, replaced_by = ${next.id},
               rotation_response = ${encryptedResponse}
         where id = ${usedId} and used_at is null and revoked_at is null
        returning id)
      insert into refresh_tokens
             (id, family_id, user_id, token_hash, client_id, scopes, created_at, expires_at)
      select ${next.id}, ${next.familyId}, ${next.userId}, ${next.tokenHash}, ${next.clientId},
             ${textArray(next.scopes)}::text[], ${next.createdAt.toISOString()}::timestamptz,
             ${next.expiresAt.toISOString()}::timestamptz
        from used
      returning id`),
  );
  return rows.length === 1;
}
