import { and, count, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { type UserRow, users } from '../../db/schema';
import { ConflictError, ForbiddenError } from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { SessionService } from '../sessions/session-service';
import type { AuthUser } from './types';

/** Serialises account creation so exactly one "first account" can become admin. */
const REGISTRATION_LOCK = 7_310_215;

export interface NewAccount {
  /** Already canonical (see credentials.ts). */
  email: string;
  name: string;
  passwordHash: string | null;
  avatar?: string | null;
}

/**
 * Creates an account inside the caller's transaction, for every way of signing up (password,
 * OAuth). The first account ever becomes admin; later ones need registration to be open.
 * Throws ForbiddenError when registration is closed and ConflictError when the email is taken.
 */
export async function createAccount(
  tx: Queryable,
  account: NewAccount,
  policy: { registrationOpen: boolean },
): Promise<UserRow> {
  await tx.execute(sql`select pg_advisory_xact_lock(${REGISTRATION_LOCK})`);
  const [existing] = await tx.select({ value: count() }).from(users);
  const isFirst = (existing?.value ?? 0) === 0;
  if (!isFirst && !policy.registrationOpen) {
    throw new ForbiddenError('Registration is closed on this server');
  }
  const [taken] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, account.email), isNull(users.deletedAt)));
  if (taken) throw new ConflictError('An account with this email already exists');
  const [row] = await tx
    .insert(users)
    .values({
      email: account.email,
      name: account.name.trim(),
      passwordHash: account.passwordHash,
      avatar: account.avatar ?? null,
      role: isFirst ? 'admin' : 'team_member',
    })
    .returning();
  return row!;
}

/**
 * Starts a session exactly as every sign-in does: a new token (no fixation) and an
 * `auth.login` audit row naming the method, in the caller's transaction.
 */
export async function openSession(
  tx: Queryable,
  sessions: SessionService,
  user: AuthUser,
  meta: RequestMeta,
  provider: string,
) {
  const created = await sessions.create(tx, user.id, { ...meta, provider });
  await recordAudit(tx, {
    action: 'auth.login',
    userId: user.id,
    resourceType: 'session',
    resourceId: created.session.id,
    details: { provider },
    ...meta,
  });
  return created;
}
