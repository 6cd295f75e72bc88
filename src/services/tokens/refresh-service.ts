import { randomUUID } from 'node:crypto';
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client';
import { refreshTokens } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import type { Encryptor } from '../../lib/encryption';
import { ConflictError } from '../../lib/errors';
import { newOpaqueToken, sha256Hex } from '../../lib/tokens';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { AccessTokens } from './access-tokens';
import { OAuthError } from './oauth-error';
import { type LockedRefreshToken, readRefreshToken, rotateIfUnused } from './refresh-sql';
import type { TokenRevocationState } from './revocation-state';
import { expandScopes, grantableScopes } from './scopes';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  /** Seconds until the login (the family) ends, rotation or not; the CLI renews before it. */
  refresh_token_expires_in?: number;
  scope: string;
}

/** A live refresh family, as the sessions view shows it. */
export interface RefreshFamilyView {
  familyId: string;
  clientId: string;
  createdAt: Date;
  /** The last rotation: an active client rotates at least once per access-token lifetime. */
  lastUsedAt: Date;
  expiresAt: Date;
}

export interface RefreshOptions {
  /** Lifetime of a login (a family), not extended by rotation. */
  ttlSeconds: number;
  /** A retry of the token just rotated, within this window, gets the same new pair. */
  graceSeconds: number;
  /** Login lifetime per OAuth client where it differs from ttlSeconds (the CLI's: CLI_TOKEN_TTL). */
  clientTtlSeconds?: Readonly<Record<string, number>>;
}

const REFRESH_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** The AES-GCM associated data of a stored grace-window reply; the rotator must use the same. */
export const rotationResponseAad = (id: string) => `refresh_tokens:${id}:rotation_response`;

type RefreshOutcome =
  | { kind: 'issued'; response: TokenResponse }
  | { kind: 'reused'; familyId: string };

/** A token never carries more than its owner's role allows today. */
function cappedScopes(scopes: string[], role: Parameters<typeof grantableScopes>[0]) {
  const allowed = new Set<string>(grantableScopes(role));
  const held = expandScopes(scopes);
  return scopes.filter((s) => allowed.has(s) && held.has(s as never));
}

export interface RefreshTokenServiceDeps extends RefreshOptions {
  db: Database;
  accessTokens: AccessTokens;
  revocations: TokenRevocationState;
  encryptor: Encryptor;
  clock: Clock;
}

/**
 * Opaque refresh tokens in families. Every use rotates; the used row remembers (encrypted) the
 * response it produced, so a client that lost that response and retries within the grace window
 * gets the same pair. Any other reuse revokes the whole family and leaves an audit row. A
 * conditional update (`used_at is null`) decides between concurrent refreshes, so N of them
 * produce exactly one successor; the others take the row-locked path and get the winner's pair.
 */
export class RefreshTokenService {
  constructor(private readonly deps: RefreshTokenServiceDeps) {}

  /** Call before the transaction startFamily runs in (see AccessTokens.prepare). */
  prepare() {
    return this.deps.accessTokens.prepare();
  }

  /** A new family (a login): an access token and the family's first refresh token. */
  async startFamily(
    q: Queryable,
    user: { id: number; role: Parameters<typeof grantableScopes>[0] },
    clientId: string,
    scopes: string[],
  ): Promise<TokenResponse> {
    const familyId = randomUUID();
    const { response } = await this.mint(q, user, clientId, scopes, familyId);
    return response;
  }

  /**
   * A new refresh token + access token of the family, not yet written. The family's lifetime is
   * absolute: successors inherit the expiry of the login that started it.
   */
  private async successor(
    user: { id: number; role: Parameters<typeof grantableScopes>[0] },
    clientId: string,
    scopes: string[],
    familyId: string,
    familyExpiresAt: Date,
  ) {
    const refreshToken = newOpaqueToken();
    const now = this.deps.clock.now();
    const id = randomUUID();
    const accessToken = await this.deps.accessTokens.issue({
      userId: user.id,
      role: user.role,
      scopes,
      clientId,
      familyId,
    });
    const response: TokenResponse = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.deps.accessTokens.ttlSeconds,
      refresh_token: refreshToken,
      refresh_token_expires_in: Math.max(0, Math.floor((familyExpiresAt.getTime() - now) / 1000)),
      scope: scopes.join(' '),
    };
    const row = {
      id,
      familyId,
      userId: user.id,
      tokenHash: sha256Hex(refreshToken),
      clientId,
      scopes,
      createdAt: new Date(now),
      expiresAt: familyExpiresAt,
    };
    return { id, response, row };
  }

  private async mint(
    q: Queryable,
    user: { id: number; role: Parameters<typeof grantableScopes>[0] },
    clientId: string,
    scopes: string[],
    familyId: string,
  ) {
    const ttlSeconds = this.deps.clientTtlSeconds?.[clientId] ?? this.deps.ttlSeconds;
    const expiresAt = new Date(this.deps.clock.now() + ttlSeconds * 1000);
    const next = await this.successor(user, clientId, scopes, familyId, expiresAt);
    await q.insert(refreshTokens).values(next.row);
    return next;
  }

  async refresh(token: string, clientId: string | undefined, meta: RequestMeta) {
    if (!REFRESH_SHAPE.test(token)) throw new OAuthError('invalid_grant', 'Invalid refresh token');
    const hash = sha256Hex(token);
    await this.deps.accessTokens.prepare();
    // Fast path: an unused token rotates with one conditional statement, no transaction.
    const row = await readRefreshToken(this.deps.db, hash, false);
    this.assertUsable(row, clientId);
    if (!row.usedAt) {
      if (!row.active) throw new OAuthError('invalid_grant', 'The account is not active');
      const scopes = cappedScopes(row.scopes, row.role);
      const next = await this.successor(
        { id: row.userId, role: row.role },
        row.clientId,
        scopes,
        row.familyId,
        row.expiresAt,
      );
      const reply = this.deps.encryptor.encrypt(
        JSON.stringify(next.response),
        rotationResponseAad(row.id),
      );
      if (
        await rotateIfUnused(this.deps.db, row.id, new Date(this.deps.clock.now()), next.row, reply)
      ) {
        return next.response;
      }
      // Another refresh of the same token won the race: answer like a retry of it.
    }
    return this.refreshUsed(hash, clientId, meta);
  }

  private assertUsable(
    row: LockedRefreshToken | undefined,
    clientId: string | undefined,
  ): asserts row is LockedRefreshToken {
    if (!row || row.revokedAt || row.expiresAt.getTime() <= this.deps.clock.now()) {
      throw new OAuthError('invalid_grant', 'Refresh token is invalid, expired or revoked');
    }
    if (clientId !== undefined && clientId !== row.clientId) {
      throw new OAuthError('invalid_grant', 'Refresh token was issued to another client');
    }
  }

  /**
   * A token that was already used: the grace-window replay of its rotation, or reuse, which
   * revokes the family. Row-locked, so concurrent callers see one consistent decision.
   */
  private async refreshUsed(hash: string, clientId: string | undefined, meta: RequestMeta) {
    const outcome = await this.deps.db.transaction(async (tx): Promise<RefreshOutcome> => {
      const row = await readRefreshToken(tx, hash, true);
      this.assertUsable(row, clientId);
      const now = this.deps.clock.now();
      const replay = await this.graceReplay(tx, row, now);
      if (replay) return { kind: 'issued', response: replay };
      await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date(now) })
        .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
      await this.deps.revocations.recordFamilies(tx, [row.familyId]);
      await recordAudit(tx, {
        action: 'auth.refresh_token_reuse',
        userId: row.userId,
        resourceType: 'refresh_token_family',
        resourceId: row.familyId,
        details: { clientId: row.clientId, usedAt: row.usedAt?.toISOString() },
        ...meta,
      });
      return { kind: 'reused', familyId: row.familyId };
    });
    if (outcome.kind === 'reused') {
      await this.deps.revocations.publishFamilies([outcome.familyId]);
      throw new OAuthError('invalid_grant', 'Refresh token was already used; session revoked');
    }
    return outcome.response;
  }

  /** The response of the rotation, if this is a retry of the newest used token in time. */
  private async graceReplay(
    tx: Queryable,
    row: LockedRefreshToken,
    now: number,
  ): Promise<TokenResponse | undefined> {
    if (!row.usedAt || !row.replacedBy || !row.rotationResponse) return undefined;
    if (now - row.usedAt.getTime() > this.deps.graceSeconds * 1000) return undefined;
    const [successor] = await tx
      .select({ usedAt: refreshTokens.usedAt, revokedAt: refreshTokens.revokedAt })
      .from(refreshTokens)
      .where(eq(refreshTokens.id, row.replacedBy));
    // Only the immediately previous token: once its successor was used, a retry is a replay.
    if (!successor || successor.usedAt || successor.revokedAt) return undefined;
    try {
      return JSON.parse(
        this.deps.encryptor.decrypt(row.rotationResponse, rotationResponseAad(row.id)),
      );
    } catch {
      return undefined;
    }
  }

  /**
   * Renewal before the end of a login: a new family for the same client and scopes (within the
   * owner's role), with a fresh lifetime, and the old family revoked on every instance. The
   * caller presents an access token of the old family; a family that already ended is a 409.
   */
  async renewFamily(
    user: { id: number; role: Parameters<typeof grantableScopes>[0] },
    familyId: string,
    meta: RequestMeta,
  ): Promise<TokenResponse> {
    await this.deps.accessTokens.prepare();
    const response = await this.deps.db.transaction(async (tx) => {
      const [current] = await tx
        .select({ clientId: refreshTokens.clientId, scopes: refreshTokens.scopes })
        .from(refreshTokens)
        .where(this.liveTokenOf(familyId, user.id))
        .for('update');
      if (!current) throw new ConflictError('This login cannot be renewed; sign in again');
      await this.revokeFamilyRows(tx, familyId);
      const newFamilyId = randomUUID();
      const scopes = cappedScopes(current.scopes, user.role);
      const { response } = await this.mint(tx, user, current.clientId, scopes, newFamilyId);
      await recordAudit(tx, {
        action: 'auth.token_renewed',
        userId: user.id,
        resourceType: 'refresh_token_family',
        resourceId: newFamilyId,
        details: { clientId: current.clientId, replaces: familyId },
        ...meta,
      });
      return response;
    });
    await this.deps.revocations.publishFamilies([familyId]);
    return response;
  }

  /** The user's live families (logins), most recently used first. */
  async listFamilies(userId: number): Promise<RefreshFamilyView[]> {
    const lastUsedAt = sql<Date>`max(${refreshTokens.createdAt})`.mapWith(refreshTokens.createdAt);
    return this.deps.db
      .select({
        familyId: refreshTokens.familyId,
        clientId: refreshTokens.clientId,
        createdAt: sql<Date>`min(${refreshTokens.createdAt})`.mapWith(refreshTokens.createdAt),
        lastUsedAt,
        expiresAt: sql<Date>`max(${refreshTokens.expiresAt})`.mapWith(refreshTokens.expiresAt),
      })
      .from(refreshTokens)
      .where(
        and(
          eq(refreshTokens.userId, userId),
          isNull(refreshTokens.revokedAt),
          gt(refreshTokens.expiresAt, new Date(this.deps.clock.now())),
        ),
      )
      .groupBy(refreshTokens.familyId, refreshTokens.clientId)
      .orderBy(desc(lastUsedAt));
  }

  /** Revokes one of the user's live families; false when it is not theirs or already ended. */
  async revokeOwnFamily(userId: number, familyId: string, meta: RequestMeta): Promise<boolean> {
    const [live] = await this.deps.db
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(this.liveTokenOf(familyId, userId))
      .limit(1);
    if (!live) return false;
    await this.revokeFamily(familyId, userId, meta);
    return true;
  }

  /** The family's current (unused, unrevoked, unexpired) refresh token of this user. */
  private liveTokenOf(familyId: string, userId: number) {
    return and(
      eq(refreshTokens.familyId, familyId),
      eq(refreshTokens.userId, userId),
      isNull(refreshTokens.usedAt),
      isNull(refreshTokens.revokedAt),
      gt(refreshTokens.expiresAt, new Date(this.deps.clock.now())),
    );
  }

  /** Inside a transaction: every token of the family revoked and the family recorded as such. */
  private async revokeFamilyRows(tx: Queryable, familyId: string) {
    const rows = await tx
      .update(refreshTokens)
      .set({ revokedAt: new Date(this.deps.clock.now()) })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id });
    await this.deps.revocations.recordFamilies(tx, [familyId]);
    return rows.length;
  }

  /**
   * RFC 7009 for refresh tokens and, through `sid`, access tokens: revokes the family. Returns
   * whether anything was revoked (the endpoint answers 200 either way).
   */
  async revokeFamilyOfRefreshToken(token: string, meta: RequestMeta): Promise<boolean> {
    if (!REFRESH_SHAPE.test(token)) return false;
    const [row] = await this.deps.db
      .select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256Hex(token)));
    if (!row) return false;
    await this.revokeFamily(row.familyId, row.userId, meta);
    return true;
  }

  async revokeFamily(familyId: string, userId: number, meta: RequestMeta) {
    const revoked = await this.deps.db.transaction(async (tx) => {
      const tokens = await this.revokeFamilyRows(tx, familyId);
      await recordAudit(tx, {
        action: 'auth.token_family_revoked',
        userId,
        resourceType: 'refresh_token_family',
        resourceId: familyId,
        details: { tokens },
        ...meta,
      });
      return tokens;
    });
    await this.deps.revocations.publishFamilies([familyId]);
    return revoked;
  }
}
