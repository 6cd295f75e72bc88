import { randomBytes } from 'node:crypto';
import { and, count, eq, inArray, isNotNull, isNull, lt } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client';
import { mfaRecoveryCodes, userTotp } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import type { Encryptor } from '../../lib/encryption';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../../lib/errors';
import { sha256Hex } from '../../lib/tokens';
import { base32Encode, matchTotp, newTotpSecret, otpauthUri } from '../../lib/totp';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { AttemptLimits } from '../limits/attempt-limits';
import { canReadUser, canResetSecondFactor } from '../policy';
import type { AuthUser } from './types';

const RECOVERY_CODES = 10;
/** The AES-GCM associated data of a stored TOTP secret; the rotator must use the same. */
export const totpAad = (userId: number) => `user_totp:${userId}:secret`;

/** 16 base32 characters (80 bits) shown as xxxx-xxxx-xxxx-xxxx. */
function newRecoveryCode(): string {
  return base32Encode(randomBytes(10)).toLowerCase().match(/.{4}/g)!.join('-');
}

/** What people type: dashes, spaces and case do not matter. */
const normaliseRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();

const wrongCode = () =>
  new ValidationError('The code is not valid', [{ path: 'code', message: 'Not valid' }]);

export interface MfaServiceDeps {
  db: Database;
  encryptor: Encryptor;
  limits: AttemptLimits;
  clock: Clock;
  issuer: string;
}

/**
 * Second factor for password sign-in: a TOTP authenticator (RFC 6238) plus one-time recovery
 * codes. Enrolment is two steps, so a secret only counts once the user proved their app has
 * it. Accepted codes are single-use: a TOTP step at or before the last accepted one is
 * refused, and the check-and-record is one conditional UPDATE, so two instances racing with
 * the same code cannot both accept it.
 */
export class MfaService {
  constructor(private readonly deps: MfaServiceDeps) {}

  /**
   * Guessing a 6-digit code must be as limited as guessing a password: wrong codes count
   * against the account's login limits (5 per account and address in 15 minutes).
   */
  private async assertNotLockedOut(user: AuthUser, meta: RequestMeta) {
    const wait = await this.deps.limits.loginBlockedFor(user.email, meta.ip ?? 'unknown');
    if (wait > 0) throw new RateLimitedError(wait, 'Too many wrong codes, try again later');
  }

  private async wrongCodeFrom(user: AuthUser, meta: RequestMeta): Promise<never> {
    await this.deps.limits.loginFailed(user.email, meta.ip ?? 'unknown');
    await recordAudit(this.deps.db, {
      action: 'auth.mfa_failed',
      userId: user.id,
      resourceType: 'user',
      resourceId: user.id,
      ...meta,
    });
    throw wrongCode();
  }

  async isEnabled(userId: number, q: Queryable = this.deps.db): Promise<boolean> {
    const [row] = await q
      .select({ userId: userTotp.userId })
      .from(userTotp)
      .where(and(eq(userTotp.userId, userId), isNotNull(userTotp.confirmedAt)));
    return row !== undefined;
  }

  /** Which of these users have two-factor authentication on (for user records). */
  async enabledAmong(userIds: number[]): Promise<Set<number>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.deps.db
      .select({ userId: userTotp.userId })
      .from(userTotp)
      .where(and(inArray(userTotp.userId, userIds), isNotNull(userTotp.confirmedAt)));
    return new Set(rows.map((r) => r.userId));
  }

  async status(userId: number) {
    const [totp] = await this.deps.db.select().from(userTotp).where(eq(userTotp.userId, userId));
    const [left] = await this.deps.db
      .select({ n: count() })
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
    return {
      totp: (totp?.confirmedAt ? 'enabled' : totp ? 'pending' : 'disabled') as
        | 'enabled'
        | 'pending'
        | 'disabled',
      enabledAt: totp?.confirmedAt?.toISOString() ?? null,
      recoveryCodesLeft: totp?.confirmedAt ? (left?.n ?? 0) : 0,
    };
  }

  /** Step 1: a fresh secret for the app. Starting again replaces an unconfirmed one. */
  async beginTotp(user: AuthUser) {
    if (await this.isEnabled(user.id)) {
      throw new ConflictError('Two-factor authentication is already on; turn it off first');
    }
    const secret = newTotpSecret();
    const secretEncrypted = this.deps.encryptor.encrypt(secret, totpAad(user.id));
    // Only an unconfirmed row is replaced: a confirm racing with this must not end up with a
    // confirmed row holding a secret the user's app never saw.
    const [written] = await this.deps.db
      .insert(userTotp)
      .values({ userId: user.id, secretEncrypted })
      .onConflictDoUpdate({
        target: userTotp.userId,
        set: { secretEncrypted, lastUsedStep: 0, createdAt: new Date(this.deps.clock.now()) },
        setWhere: isNull(userTotp.confirmedAt),
      })
      .returning({ userId: userTotp.userId });
    if (!written) {
      throw new ConflictError('Two-factor authentication is already on; turn it off first');
    }
    return { secret, otpauthUri: otpauthUri(this.deps.issuer, user.email, secret) };
  }

  /** Step 2: a code from the app turns it on; the recovery codes are shown this once. */
  async confirmTotp(user: AuthUser, code: string, meta: RequestMeta) {
    const [row] = await this.deps.db.select().from(userTotp).where(eq(userTotp.userId, user.id));
    if (!row) throw new NotFoundError('Two-factor enrolment');
    if (row.confirmedAt) throw new ConflictError('Two-factor authentication is already on');
    await this.assertNotLockedOut(user, meta);
    const secret = this.deps.encryptor.decrypt(row.secretEncrypted, totpAad(user.id));
    const step = matchTotp(secret, code, this.deps.clock.now());
    if (step === undefined) return this.wrongCodeFrom(user, meta);
    return this.deps.db.transaction(async (tx) => {
      const [confirmed] = await tx
        .update(userTotp)
        .set({ confirmedAt: new Date(this.deps.clock.now()), lastUsedStep: step })
        .where(
          and(
            eq(userTotp.userId, user.id),
            isNull(userTotp.confirmedAt),
            // The secret the code was checked against, not one a parallel restart put there.
            eq(userTotp.secretEncrypted, row.secretEncrypted),
          ),
        )
        .returning();
      if (!confirmed) throw new ConflictError('The enrolment changed meanwhile; start again');
      const recoveryCodes = await this.replaceRecoveryCodes(tx, user.id);
      await recordAudit(tx, {
        action: 'auth.mfa_enabled',
        userId: user.id,
        resourceType: 'user',
        resourceId: user.id,
        details: { method: 'totp' },
        ...meta,
      });
      return { recoveryCodes };
    });
  }

  /** Turning it off needs a current second factor, so a stolen session alone cannot. */
  async disable(user: AuthUser, code: string, meta: RequestMeta) {
    await this.assertNotLockedOut(user, meta);
    const done = await this.deps.db.transaction(async (tx) => {
      if (!(await this.verifySecondFactor(tx, user.id, code))) return false;
      await tx.delete(userTotp).where(eq(userTotp.userId, user.id));
      await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id));
      await recordAudit(tx, {
        action: 'auth.mfa_disabled',
        userId: user.id,
        resourceType: 'user',
        resourceId: user.id,
        ...meta,
      });
      return true;
    });
    if (!done) await this.wrongCodeFrom(user, meta);
  }

  /** An admin clears another user's second factor (see policy.canResetSecondFactor). */
  async resetByAdmin(actor: AuthUser, userId: number, meta: RequestMeta) {
    if (!canReadUser(actor, userId)) throw new NotFoundError('User');
    if (!canResetSecondFactor(actor, userId)) {
      throw new ForbiddenError("Admins reset other users' two-factor authentication only");
    }
    await this.deps.db.transaction(async (tx) => {
      const removed = await tx
        .delete(userTotp)
        .where(eq(userTotp.userId, userId))
        .returning({ userId: userTotp.userId });
      if (removed.length === 0) throw new NotFoundError('Two-factor authentication');
      await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
      await recordAudit(tx, {
        action: 'user.mfa_reset',
        userId: actor.id,
        resourceType: 'user',
        resourceId: userId,
        ...meta,
      });
    });
  }

  /** New recovery codes (the old ones stop working), proven with a current code. */
  async regenerateRecoveryCodes(user: AuthUser, code: string, meta: RequestMeta) {
    await this.assertNotLockedOut(user, meta);
    const result = await this.deps.db.transaction(async (tx) => {
      if (!(await this.verifySecondFactor(tx, user.id, code))) return undefined;
      const recoveryCodes = await this.replaceRecoveryCodes(tx, user.id);
      await recordAudit(tx, {
        action: 'auth.mfa_recovery_codes_regenerated',
        userId: user.id,
        resourceType: 'user',
        resourceId: user.id,
        ...meta,
      });
      return { recoveryCodes };
    });
    return result ?? this.wrongCodeFrom(user, meta);
  }

  /** A TOTP code or an unused recovery code of a user with MFA on; either is used up. */
  async verifySecondFactor(q: Queryable, userId: number, code: string): Promise<boolean> {
    const trimmed = code.trim();
    if (/^\d{6}$/.test(trimmed)) {
      const [row] = await q
        .select()
        .from(userTotp)
        .where(and(eq(userTotp.userId, userId), isNotNull(userTotp.confirmedAt)));
      if (!row) return false;
      const secret = this.deps.encryptor.decrypt(row.secretEncrypted, totpAad(userId));
      const step = matchTotp(secret, trimmed, this.deps.clock.now());
      if (step === undefined) return false;
      const [used] = await q
        .update(userTotp)
        .set({ lastUsedStep: step })
        .where(and(eq(userTotp.userId, userId), lt(userTotp.lastUsedStep, step)))
        .returning({ userId: userTotp.userId });
      return used !== undefined;
    }
    const [used] = await q
      .update(mfaRecoveryCodes)
      .set({ usedAt: new Date(this.deps.clock.now()) })
      .where(
        and(
          eq(mfaRecoveryCodes.userId, userId),
          eq(mfaRecoveryCodes.codeHash, sha256Hex(normaliseRecoveryCode(trimmed))),
          isNull(mfaRecoveryCodes.usedAt),
        ),
      )
      .returning({ id: mfaRecoveryCodes.id });
    return used !== undefined;
  }

  private async replaceRecoveryCodes(q: Queryable, userId: number): Promise<string[]> {
    await q.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await q
      .insert(mfaRecoveryCodes)
      .values(codes.map((c) => ({ userId, codeHash: sha256Hex(normaliseRecoveryCode(c)) })));
    return codes;
  }
}
