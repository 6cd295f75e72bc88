import { randomInt } from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { SharedStore } from '../../cache/shared-store';
import type { Database } from '../../db/client';
import { deviceAuthorizations, users } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import { NotFoundError, RateLimitedError, ValidationError } from '../../lib/errors';
import { newOpaqueToken, sha256Hex } from '../../lib/tokens';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { AuthUser } from '../auth/types';
import { sharedLimiter } from '../limits/shared-limiter';
import { knownClient, OAUTH_CLIENTS, OAuthError } from './oauth-error';
import type { RefreshTokenService, TokenResponse } from './refresh-service';
import { defaultScopes, expandScopes, grantableScopes, isTokenScope } from './scopes';

/** RFC 8628 §6.1: consonants only (no vowels, no look-alikes), 20^8 ≈ 2^34.6 codes. */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;
const EXPIRES_IN_SECONDS = 600;
const INTERVAL_SECONDS = 5;
const SLOW_DOWN_STEP_SECONDS = 5;
/** Wrong user codes allowed per address and per account before a pause (guessing). */
const GUESSES_PER_WINDOW = 10;
const GUESS_WINDOW_SECONDS = 15 * 60;
/** Device logins one address may start in ten minutes (each is a database row). */
const STARTS_PER_WINDOW = 120;
const START_WINDOW_SECONDS = 10 * 60;

export interface DeviceCodeResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

export function formatUserCode(code: string) {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Accepts what people type: lower case, spaces, dashes. */
export function normalizeUserCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}

function newUserCode() {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(20)];
  return code;
}

export interface DeviceAuthorizationServiceDeps {
  db: Database;
  store: SharedStore;
  refresh: RefreshTokenService;
  appUrl: string;
  clock: Clock;
}

/** RFC 8628 device authorization grant: code issuing, user approval, polling. */
export class DeviceAuthorizationService {
  private readonly guessesByIp: RateLimiterAbstract;
  private readonly guessesByUser: RateLimiterAbstract;
  private readonly startsByIp: RateLimiterAbstract;

  constructor(private readonly deps: DeviceAuthorizationServiceDeps) {
    const { store } = deps;
    const guesses = (prefix: string) =>
      sharedLimiter(store, prefix, GUESSES_PER_WINDOW, GUESS_WINDOW_SECONDS);
    this.guessesByIp = guesses('device_ip');
    this.guessesByUser = guesses('device_user');
    this.startsByIp = sharedLimiter(store, 'device_start', STARTS_PER_WINDOW, START_WINDOW_SECONDS);
  }

  async start(clientId: string | undefined, scope: string | undefined, ip = 'unknown') {
    if (!knownClient(clientId)) throw new OAuthError('invalid_client', 'Unknown client_id');
    try {
      await this.startsByIp.consume(ip);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new RateLimitedError(rejection.msBeforeNext / 1000, 'Too many device logins started');
      }
    }
    const scopes = scope ? [...new Set(scope.split(' ').filter(Boolean))] : [];
    if (scopes.some((s) => !isTokenScope(s))) {
      throw new OAuthError('invalid_scope', 'Known scopes: read, write, admin');
    }
    const deviceCode = newOpaqueToken();
    const now = this.deps.clock.now();
    for (let attempt = 0; ; attempt++) {
      const userCode = newUserCode();
      const inserted = await this.deps.db
        .insert(deviceAuthorizations)
        .values({
          deviceCodeHash: sha256Hex(deviceCode),
          userCode,
          clientId,
          scopes,
          intervalSeconds: INTERVAL_SECONDS,
          createdAt: new Date(now),
          expiresAt: new Date(now + EXPIRES_IN_SECONDS * 1000),
        })
        .onConflictDoNothing()
        .returning({ id: deviceAuthorizations.id });
      if (inserted.length > 0) {
        const verificationUri = `${this.deps.appUrl}/device`;
        const formatted = formatUserCode(userCode);
        return {
          device_code: deviceCode,
          user_code: formatted,
          verification_uri: verificationUri,
          verification_uri_complete: `${verificationUri}?user_code=${formatted}`,
          expires_in: EXPIRES_IN_SECONDS,
          interval: INTERVAL_SECONDS,
        } satisfies DeviceCodeResponse;
      }
      if (attempt >= 5) throw new Error('Could not allocate a unique user code');
    }
  }

  /** The token endpoint's device grant, answering exactly per RFC 8628 §3.5. */
  async poll(deviceCode: string | undefined, clientId: string | undefined): Promise<TokenResponse> {
    if (!deviceCode) throw new OAuthError('invalid_request', 'device_code is required');
    if (!knownClient(clientId)) throw new OAuthError('invalid_client', 'Unknown client_id');
    const hash = sha256Hex(deviceCode);
    await this.deps.refresh.prepare();
    // The poll bookkeeping (last poll, grown interval) must commit even when the answer is an
    // error, so the transaction returns the error and it is thrown after the commit.
    const outcome = await this.deps.db.transaction(
      async (tx): Promise<{ error: OAuthError } | { tokens: TokenResponse }> => {
        const [row] = await tx
          .select()
          .from(deviceAuthorizations)
          .where(eq(deviceAuthorizations.deviceCodeHash, hash))
          .for('update');
        if (!row || row.clientId !== clientId) {
          return { error: new OAuthError('invalid_grant', 'Unknown device_code') };
        }
        const now = this.deps.clock.now();
        if (row.status === 'consumed') {
          return { error: new OAuthError('invalid_grant', 'This device_code was already used') };
        }
        if (row.expiresAt.getTime() <= now) {
          return { error: new OAuthError('expired_token', 'The device_code has expired') };
        }
        const tooSoon =
          row.lastPolledAt !== null &&
          now - row.lastPolledAt.getTime() < row.intervalSeconds * 1000;
        const interval = row.intervalSeconds + (tooSoon ? SLOW_DOWN_STEP_SECONDS : 0);
        await tx
          .update(deviceAuthorizations)
          .set({ lastPolledAt: new Date(now), intervalSeconds: interval })
          .where(eq(deviceAuthorizations.id, row.id));
        if (tooSoon) {
          return { error: new OAuthError('slow_down', `Polling too fast; wait ${interval} s`) };
        }
        if (row.status === 'pending') {
          return { error: new OAuthError('authorization_pending', 'Not answered yet') };
        }
        if (row.status === 'denied') {
          return { error: new OAuthError('access_denied', 'The user denied the request') };
        }
        const [user] = await tx
          .select()
          .from(users)
          .where(
            and(
              eq(users.id, row.userId!),
              sql`${users.deletedAt} is null`,
              sql`${users.disabledAt} is null`,
            ),
          );
        if (!user) {
          return { error: new OAuthError('access_denied', 'The approving account is inactive') };
        }
        await tx
          .update(deviceAuthorizations)
          .set({ status: 'consumed' })
          .where(eq(deviceAuthorizations.id, row.id));
        const allowed = new Set<string>(grantableScopes(user.role));
        const requested = row.scopes.length > 0 ? row.scopes : defaultScopes(user.role);
        const scopes = requested.filter((s) => allowed.has(s));
        await recordAudit(tx, {
          action: 'auth.device_login',
          userId: user.id,
          resourceType: 'device_authorization',
          resourceId: row.id,
          details: { clientId: row.clientId, scopes },
        });
        return { tokens: await this.deps.refresh.startFamily(tx, user, row.clientId, scopes) };
      },
    );
    if ('error' in outcome) throw outcome.error;
    return outcome.tokens;
  }

  /** What the /device page shows before the user answers. Counts failed lookups (guessing). */
  async describe(user: AuthUser, input: string, meta: RequestMeta) {
    await this.assertNotGuessing(user, meta);
    const code = normalizeUserCode(input);
    const row = code ? await this.findPending(code) : undefined;
    if (!row) {
      await this.countGuess(user, meta);
      throw new NotFoundError('Code');
    }
    return {
      userCode: formatUserCode(row.userCode),
      clientId: row.clientId,
      clientName: OAUTH_CLIENTS[row.clientId]?.name ?? row.clientId,
      scopes: [...expandScopes(row.scopes.length > 0 ? row.scopes : defaultScopes(user.role))],
      expiresAt: row.expiresAt,
    };
  }

  async answer(user: AuthUser, input: string, approve: boolean, meta: RequestMeta) {
    await this.assertNotGuessing(user, meta);
    const code = normalizeUserCode(input);
    if (!code) {
      await this.countGuess(user, meta);
      throw new ValidationError('That is not a valid code', [
        { path: 'user_code', message: 'Eight letters, like BCDF-GHJK' },
      ]);
    }
    const updated = await this.deps.db.transaction(async (tx) => {
      const [row] = await tx
        .update(deviceAuthorizations)
        .set({ status: approve ? 'approved' : 'denied', userId: user.id })
        .where(
          and(
            eq(deviceAuthorizations.userCode, code),
            eq(deviceAuthorizations.status, 'pending'),
            gt(deviceAuthorizations.expiresAt, new Date(this.deps.clock.now())),
          ),
        )
        .returning();
      if (row) {
        await recordAudit(tx, {
          action: approve ? 'auth.device_approved' : 'auth.device_denied',
          userId: user.id,
          resourceType: 'device_authorization',
          resourceId: row.id,
          details: { clientId: row.clientId },
          ...meta,
        });
      }
      return row;
    });
    if (!updated) {
      await this.countGuess(user, meta);
      throw new NotFoundError('Code');
    }
    return { clientName: OAUTH_CLIENTS[updated.clientId]?.name ?? updated.clientId };
  }

  private async findPending(code: string) {
    const [row] = await this.deps.db
      .select()
      .from(deviceAuthorizations)
      .where(
        and(
          eq(deviceAuthorizations.userCode, code),
          eq(deviceAuthorizations.status, 'pending'),
          gt(deviceAuthorizations.expiresAt, new Date(this.deps.clock.now())),
        ),
      );
    return row;
  }

  private async assertNotGuessing(user: AuthUser, meta: RequestMeta) {
    const [byIp, byUser] = await Promise.all([
      this.guessesByIp.get(meta.ip ?? 'unknown').catch(() => null),
      this.guessesByUser.get(String(user.id)).catch(() => null),
    ]);
    const blocked = [byIp, byUser].filter(
      (r): r is RateLimiterRes => r !== null && r.consumedPoints >= GUESSES_PER_WINDOW,
    );
    if (blocked.length > 0) {
      const wait = Math.max(...blocked.map((r) => r.msBeforeNext)) / 1000;
      throw new RateLimitedError(wait, 'Too many wrong codes, try again later');
    }
  }

  private async countGuess(user: AuthUser, meta: RequestMeta) {
    await Promise.all([
      this.guessesByIp.consume(meta.ip ?? 'unknown').catch(() => undefined),
      this.guessesByUser.consume(String(user.id)).catch(() => undefined),
    ]);
  }
}
