import { and, eq, isNull } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Database } from '../../db/client';
import { users } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import {
  ConflictError,
  InvalidCredentialsError,
  MfaRequiredError,
  RateLimitedError,
  ValidationError,
} from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { AttemptLimits } from '../limits/attempt-limits';
import type { SessionService } from '../sessions/session-service';
import { createAccount, openSession } from './account-creation';
import {
  assertPasswordAcceptable,
  canonicalEmail,
  hashPassword,
  parseEmail,
  verifyPassword,
} from './credentials';
import type { MfaService } from './mfa-service';
import { type AuthUser, toAuthUser } from './types';

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
}

export interface LoginInput {
  email: string;
  password: string;
  /** A TOTP or recovery code; required once the account has two-factor authentication on. */
  mfaCode?: string;
}

export interface PasswordChangeInput {
  currentPassword: string;
  newPassword: string;
  /** Needed when two-factor authentication is on. */
  mfaCode?: string;
}

export interface AccountServiceDeps {
  db: Database;
  sessions: SessionService;
  limits: AttemptLimits;
  mfa: MfaService;
  config: Pick<Config, 'allowRegistration' | 'passwordMinLength'>;
  clock: Clock;
}

/** Email + password accounts: registration, login and logout. */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  async register(input: RegisterInput, meta: RequestMeta) {
    const ip = meta.ip ?? 'unknown';
    const attempt = await this.deps.limits.registerAttempt(ip);
    if (!attempt.allowed) throw new RateLimitedError(attempt.resetSeconds);
    const email = parseEmail(input.email);
    assertPasswordAcceptable(input.password, email, this.deps.config.passwordMinLength);
    const passwordHash = await hashPassword(input.password);

    return this.deps.db.transaction(async (tx) => {
      const row = await createAccount(
        tx,
        { email, name: input.name, passwordHash },
        { registrationOpen: this.deps.config.allowRegistration },
      );
      const user = toAuthUser(row);
      const { token, session } = await this.deps.sessions.create(tx, user.id, meta);
      await recordAudit(tx, {
        action: 'auth.register',
        userId: user.id,
        resourceType: 'user',
        resourceId: user.id,
        details: { role: user.role, sessionId: session.id },
        ...meta,
      });
      return { user, token, sessionId: session.id };
    });
  }

  async login(input: LoginInput, meta: RequestMeta) {
    const user = await this.verifyCredentials(input, meta);
    const { token, session } = await this.deps.db.transaction((tx) =>
      openSession(tx, this.deps.sessions, user, meta, 'password'),
    );
    return { user, token, sessionId: session.id };
  }

  /**
   * Email + password check with the login rate limits and failure auditing, shared by every
   * way of signing in with a password (browser session, CLI token). Throws 401/429.
   */
  async verifyCredentials(input: LoginInput, meta: RequestMeta) {
    const ip = meta.ip ?? 'unknown';
    const email = canonicalEmail(input.email);
    const wait = await this.deps.limits.loginBlockedFor(email, ip);
    if (wait > 0) throw new RateLimitedError(wait, 'Too many failed logins, try again later');

    const [row] = await this.deps.db
      .select()
      .from(users)
      .where(and(eq(users.email, email), isNull(users.deletedAt)))
      .limit(1);
    const passwordOk = await verifyPassword(input.password, row?.passwordHash);
    if (!row || !passwordOk || row.disabledAt) {
      await this.recordFailure(
        email,
        ip,
        meta,
        row?.id,
        !row ? 'unknown_email' : !passwordOk ? 'bad_password' : 'disabled',
      );
      throw new InvalidCredentialsError();
    }

    if (await this.deps.mfa.isEnabled(row.id)) {
      // The password was right; without a valid second factor this is not a sign-in yet.
      if (!input.mfaCode) throw new MfaRequiredError();
      if (!(await this.deps.mfa.verifySecondFactor(this.deps.db, row.id, input.mfaCode))) {
        await this.recordFailure(email, ip, meta, row.id, 'bad_mfa_code');
        throw new InvalidCredentialsError('Invalid two-factor code');
      }
    }
    await this.deps.limits.loginSucceeded(email, ip);
    return toAuthUser(row);
  }

  private async recordFailure(
    email: string,
    ip: string,
    meta: RequestMeta,
    userId: number | undefined,
    reason: string,
  ) {
    const lockedOut = await this.deps.limits.loginFailed(email, ip);
    // The attempted email is kept only for known accounts, so typos of passwords typed into
    // the email field do not end up in the audit log.
    const details = { reason, ...(userId ? { email } : {}) };
    await recordAudit(this.deps.db, { action: 'auth.login_failed', userId, details, ...meta });
    if (lockedOut) {
      await recordAudit(this.deps.db, {
        action: 'auth.lockout',
        userId,
        details: { reason: 'login_failures' },
        ...meta,
      });
    }
  }

  /**
   * A signed-in user sets a new password, proving the current one (ASVS 6.2.3). Wrong guesses
   * count against the account's login limits, so a stolen session cannot brute-force it. On
   * success every other session, every refresh family and every access JWT issued so far end
   * on all instances; the session making the change stays. Personal access tokens stay too:
   * they are separately managed credentials, listed under /auth/tokens.
   */
  async changePassword(
    user: AuthUser,
    keepSessionId: string | undefined,
    input: PasswordChangeInput,
    meta: RequestMeta,
  ) {
    const ip = meta.ip ?? 'unknown';
    const [row] = await this.deps.db.select().from(users).where(eq(users.id, user.id)).limit(1);
    if (!row?.passwordHash) {
      throw new ConflictError(
        'This account signs in through a provider and has no password to change',
      );
    }
    const wait = await this.deps.limits.loginBlockedFor(row.email, ip);
    if (wait > 0) throw new RateLimitedError(wait, 'Too many wrong passwords, try again later');
    if (!(await verifyPassword(input.currentPassword, row.passwordHash))) {
      await this.recordFailure(row.email, ip, meta, row.id, 'bad_password_on_change');
      throw new ValidationError('The current password is not correct', [
        { path: 'currentPassword', message: 'Not correct' },
      ]);
    }
    if (await this.deps.mfa.isEnabled(row.id)) {
      if (!input.mfaCode) throw new MfaRequiredError();
      if (!(await this.deps.mfa.verifySecondFactor(this.deps.db, row.id, input.mfaCode))) {
        await this.recordFailure(row.email, ip, meta, row.id, 'bad_mfa_code_on_change');
        throw new ValidationError('The two-factor code is not valid', [
          { path: 'mfaCode', message: 'Not valid' },
        ]);
      }
    }
    await this.deps.limits.loginSucceeded(row.email, ip);
    assertPasswordAcceptable(
      input.newPassword,
      row.email,
      this.deps.config.passwordMinLength,
      'newPassword',
    );
    if (input.newPassword === input.currentPassword) {
      throw new ValidationError('The new password must differ from the current one', [
        { path: 'newPassword', message: 'Same as the current password' },
      ]);
    }
    const passwordHash = await hashPassword(input.newPassword);
    const revoked = await this.deps.db.transaction(async (tx) => {
      await tx
        .update(users)
        .set({ passwordHash, updatedAt: new Date(this.deps.clock.now()) })
        .where(eq(users.id, user.id));
      const hashes = await this.deps.sessions.revokeAllForUser(tx, user.id, keepSessionId);
      await recordAudit(tx, {
        action: 'auth.password_changed',
        userId: user.id,
        resourceType: 'user',
        resourceId: user.id,
        details: { revokedSessions: hashes.length },
        ...meta,
      });
      return hashes;
    });
    await this.deps.sessions.invalidate({ hashes: revoked, userId: user.id });
    return { revokedSessions: revoked.length };
  }

  async logout(userId: number, sessionId: string, meta: RequestMeta) {
    const row = await this.deps.db.transaction(async (tx) => {
      const revoked = await this.deps.sessions.revokeOwn(tx, userId, sessionId);
      if (revoked) {
        await recordAudit(tx, {
          action: 'auth.logout',
          userId,
          resourceType: 'session',
          resourceId: sessionId,
          ...meta,
        });
      }
      return revoked;
    });
    if (row) await this.deps.sessions.invalidate({ hashes: [row.tokenHash] });
  }
}
