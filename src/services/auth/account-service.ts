import { and, eq, isNull } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Database } from '../../db/client';
import { users } from '../../db/schema';
import { InvalidCredentialsError, RateLimitedError } from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { RateLimits } from '../rate-limits';
import type { SessionService } from '../sessions/session-service';
import { createAccount } from './account-creation';
import {
  assertPasswordAcceptable,
  canonicalEmail,
  hashPassword,
  parseEmail,
  verifyPassword,
} from './credentials';
import { toAuthUser } from './types';

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
}

export interface LoginInput {
  email: string;
  password: string;
}

/** Email + password accounts: registration, login and logout. */
export class AccountService {
  constructor(
    private readonly db: Database,
    private readonly sessions: SessionService,
    private readonly limits: RateLimits,
    private readonly config: Config,
  ) {}

  async register(input: RegisterInput, meta: RequestMeta) {
    const ip = meta.ip ?? 'unknown';
    const attempt = await this.limits.registerAttempt(ip);
    if (!attempt.allowed) throw new RateLimitedError(attempt.resetSeconds);
    const email = parseEmail(input.email);
    assertPasswordAcceptable(input.password, email, this.config.passwordMinLength);
    const passwordHash = await hashPassword(input.password);

    return this.db.transaction(async (tx) => {
      const row = await createAccount(
        tx,
        { email, name: input.name, passwordHash },
        { registrationOpen: this.config.allowRegistration },
      );
      const user = toAuthUser(row);
      const { token, session } = await this.sessions.create(tx, user.id, meta);
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
    const { token, session } = await this.db.transaction(async (tx) => {
      const created = await this.sessions.create(tx, user.id, meta);
      await recordAudit(tx, {
        action: 'auth.login',
        userId: user.id,
        resourceType: 'session',
        resourceId: created.session.id,
        details: { provider: 'password' },
        ...meta,
      });
      return created;
    });
    return { user, token, sessionId: session.id };
  }

  /**
   * Email + password check with the login rate limits and failure auditing, shared by every
   * way of signing in with a password (browser session, CLI token). Throws 401/429.
   */
  async verifyCredentials(input: LoginInput, meta: RequestMeta) {
    const ip = meta.ip ?? 'unknown';
    const email = canonicalEmail(input.email);
    const wait = await this.limits.loginBlockedFor(email, ip);
    if (wait > 0) throw new RateLimitedError(wait, 'Too many failed logins, try again later');

    const [row] = await this.db
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

    await this.limits.loginSucceeded(email, ip);
    return toAuthUser(row);
  }

  private async recordFailure(
    email: string,
    ip: string,
    meta: RequestMeta,
    userId: number | undefined,
    reason: string,
  ) {
    const lockedOut = await this.limits.loginFailed(email, ip);
    // The attempted email is kept only for known accounts, so typos of passwords typed into
    // the email field do not end up in the audit log.
    const details = { reason, ...(userId ? { email } : {}) };
    await recordAudit(this.db, { action: 'auth.login_failed', userId, details, ...meta });
    if (lockedOut) {
      await recordAudit(this.db, {
        action: 'auth.lockout',
        userId,
        details: { reason: 'login_failures' },
        ...meta,
      });
    }
  }

  async logout(userId: number, sessionId: string, meta: RequestMeta) {
    const row = await this.db.transaction(async (tx) => {
      const revoked = await this.sessions.revokeOwn(tx, userId, sessionId);
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
    if (row) await this.sessions.invalidate({ hashes: [row.tokenHash] });
  }
}
