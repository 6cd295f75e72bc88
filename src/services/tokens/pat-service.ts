import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { SharedStore } from '../../cache/shared-store';
import type { Database, Queryable } from '../../db/client';
import { type PersonalAccessTokenRow, personalAccessTokens } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { andThen, type MaybePromise } from '../../lib/maybe-promise';
import { sha256Hex } from '../../lib/tokens';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { AuthUser } from '../auth/types';
import { TimestampBuffer } from '../write-behind/timestamp-buffer';
import {
  displayPrefix,
  isWellFormedPersonalAccessToken,
  newPersonalAccessToken,
} from './pat-format';
import { expandScopes, grantableScopes, type TokenScope } from './scopes';
import type { ActiveUserCache } from './user-cache';

/** The facts of a token the caches hold; the user itself comes from ActiveUserCache. */
interface CachedPat {
  tokenId: string;
  userId: number;
  scopes: string[];
  expiresAt: number | null;
  /** When this instance last queued a last_used_at write for the token. */
  usedAt: number;
}

export interface ResolvedPat {
  user: AuthUser;
  tokenId: string;
  scopes: string[];
}

export interface CreatePatInput {
  name: string;
  scopes?: TokenScope[];
  expiresAt?: Date;
}

const CHANNEL = 'pat:invalidate';
const LRU_TTL_MS = 5 * 60_000;
const REDIS_TTL_SECONDS = 5 * 60;
/** last_used_at is written at most this often per token. */
const USAGE_INTERVAL_MS = 60_000;
const redisKey = (hash: string) => `pat:${hash}`;
/** A revoked or unknown token is remembered briefly so a flood of it stays off the database. */
const NEGATIVE_TTL_MS = 2_000;

export function publicToken(row: PersonalAccessTokenRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

export interface PatServiceDeps {
  db: Database;
  store: SharedStore;
  users: ActiveUserCache;
  clock: Clock;
  logger: Logger;
}

/**
 * Personal access tokens: stored as SHA-256 only, looked up LRU → Redis → database like
 * sessions, revoked database-first and then invalidated on every instance through pub/sub.
 */
export class PatService {
  private readonly lru = new LRUCache<string, CachedPat>({ max: 20_000, ttl: LRU_TTL_MS });
  private readonly misses = new LRUCache<string, true>({ max: 10_000, ttl: NEGATIVE_TTL_MS });
  /** last_used_at writes, batched off the request path. */
  private readonly usage: TimestampBuffer;

  constructor(private readonly deps: PatServiceDeps) {
    const { db, store, logger } = deps;
    this.usage = new TimestampBuffer({
      db,
      logger,
      name: 'pat usage',
      statement: (rows) => sql`
        update personal_access_tokens t
           set last_used_at = greatest(coalesce(t.last_used_at, v.used), v.used)
          from (values ${rows}) as v(id, used)
         where t.id = v.id`,
    });
    store.subscribe(CHANNEL, (raw) => this.applyInvalidation(raw));
    store.onResync(() => this.lru.clear());
  }

  /**
   * Mints a token for `owner`. `callerScopes` is set when the caller is itself a token: a token
   * cannot mint one stronger than itself, and nobody gets `admin` without the admin role.
   */
  async create(
    owner: AuthUser,
    callerScopes: string[] | undefined,
    input: CreatePatInput,
    meta: RequestMeta,
    auditAction = 'token.created',
  ) {
    const allowed = new Set<string>(grantableScopes(owner.role));
    // Without an explicit list: everything the owner may grant, within the calling token's scopes.
    const callerHas = callerScopes ? expandScopes(callerScopes) : undefined;
    const defaults = grantableScopes(owner.role).filter((s) => !callerHas || callerHas.has(s));
    const scopes = [...new Set(input.scopes ?? defaults)];
    if (scopes.length === 0) {
      throw new ValidationError('A token needs at least one scope', [
        { path: 'scopes', message: 'Give at least one of read, write, admin' },
      ]);
    }
    const refused = scopes.filter((s) => !allowed.has(s));
    if (refused.length > 0) {
      throw new ForbiddenError(`Your role cannot grant: ${refused.join(', ')}`);
    }
    if (callerHas) {
      const beyond = scopes.filter((s) => !callerHas.has(s as TokenScope));
      if (beyond.length > 0) {
        throw new ForbiddenError(`This token cannot grant more than it has: ${beyond.join(', ')}`);
      }
    }
    if (input.expiresAt && input.expiresAt.getTime() <= this.deps.clock.now()) {
      throw new ValidationError('Expiry must be in the future', [
        { path: 'expiresAt', message: 'Must be in the future' },
      ]);
    }
    const token = newPersonalAccessToken();
    const row = await this.deps.db.transaction(async (tx) => {
      const inserted = await this.insert(
        tx,
        owner.id,
        token,
        input.name.trim(),
        scopes,
        input.expiresAt,
      );
      await recordAudit(tx, {
        action: auditAction,
        userId: owner.id,
        resourceType: 'personal_access_token',
        resourceId: inserted.id,
        details: { name: inserted.name, scopes },
        ...meta,
      });
      return inserted;
    });
    return { token, row };
  }

  /**
   * Renewal: a successor with the same name and scopes (within the owner's role today) and the
   * same lifetime counted from now, in the transaction that revokes the presented token; then
   * the old one is dropped from every instance's cache. An ended or foreign token is a 404.
   */
  async rotate(owner: AuthUser, tokenId: string, meta: RequestMeta) {
    const token = newPersonalAccessToken();
    const now = this.deps.clock.now();
    const { old, row } = await this.deps.db.transaction(async (tx) => {
      const [old] = await tx
        .update(personalAccessTokens)
        .set({ revokedAt: new Date(now) })
        .where(
          and(
            eq(personalAccessTokens.id, tokenId),
            eq(personalAccessTokens.userId, owner.id),
            isNull(personalAccessTokens.revokedAt),
          ),
        )
        .returning();
      if (!old || (old.expiresAt && old.expiresAt.getTime() <= now)) {
        throw new NotFoundError('Token');
      }
      const lifetimeMs = old.expiresAt && old.expiresAt.getTime() - old.createdAt.getTime();
      const allowed = new Set<string>(grantableScopes(owner.role));
      const scopes = old.scopes.filter((s) => allowed.has(s));
      const expiresAt = lifetimeMs ? new Date(now + lifetimeMs) : undefined;
      const row = await this.insert(tx, owner.id, token, old.name, scopes, expiresAt);
      await recordAudit(tx, {
        action: 'token.rotated',
        userId: owner.id,
        resourceType: 'personal_access_token',
        resourceId: row.id,
        details: { name: row.name, scopes, replaces: old.id },
        ...meta,
      });
      return { old, row };
    });
    await this.invalidate([old.tokenHash]);
    return { token, row };
  }

  private async insert(
    q: Queryable,
    userId: number,
    token: string,
    name: string,
    scopes: string[],
    expiresAt: Date | undefined,
  ) {
    const [inserted] = await q
      .insert(personalAccessTokens)
      .values({
        userId,
        name,
        tokenHash: sha256Hex(token),
        prefix: displayPrefix(token),
        scopes,
        createdAt: new Date(this.deps.clock.now()),
        expiresAt,
      })
      .returning();
    return inserted!;
  }

  /** The user's tokens that still work, newest first. */
  async list(userId: number) {
    const rows = await this.deps.db
      .select()
      .from(personalAccessTokens)
      .where(and(eq(personalAccessTokens.userId, userId), isNull(personalAccessTokens.revokedAt)))
      .orderBy(desc(personalAccessTokens.createdAt));
    const now = this.deps.clock.now();
    return rows.filter((r) => !r.expiresAt || r.expiresAt.getTime() > now);
  }

  /** Revokes one of the user's tokens; someone else's token is a 404. */
  async revoke(userId: number, tokenId: string, meta: RequestMeta, action = 'token.revoked') {
    const row = await this.deps.db.transaction(async (tx) => {
      const [revoked] = await tx
        .update(personalAccessTokens)
        .set({ revokedAt: new Date(this.deps.clock.now()) })
        .where(
          and(
            eq(personalAccessTokens.id, tokenId),
            eq(personalAccessTokens.userId, userId),
            isNull(personalAccessTokens.revokedAt),
          ),
        )
        .returning();
      if (!revoked) throw new NotFoundError('Token');
      await recordAudit(tx, {
        action,
        userId,
        resourceType: 'personal_access_token',
        resourceId: tokenId,
        details: { name: revoked.name },
        ...meta,
      });
      return revoked;
    });
    await this.invalidate([row.tokenHash]);
  }

  /** Synchronous when the token and its owner are in the in-process caches (the hot path). */
  resolve(token: string): MaybePromise<ResolvedPat | null> {
    if (!isWellFormedPersonalAccessToken(token)) return null;
    const hash = sha256Hex(token);
    const reliable = this.deps.store.invalidationReliable();
    const entry = reliable ? this.lru.get(hash) : undefined;
    if (entry) return this.withOwner(hash, entry);
    if (reliable && this.misses.has(hash)) return null;
    return this.load(hash);
  }

  private async load(hash: string): Promise<ResolvedPat | null> {
    const entry = (await this.fromRedis(hash)) ?? (await this.fromDatabase(hash));
    if (!entry) {
      this.misses.set(hash, true);
      return null;
    }
    this.lru.set(hash, entry);
    return this.withOwner(hash, entry);
  }

  private withOwner(hash: string, entry: CachedPat): MaybePromise<ResolvedPat | null> {
    const now = this.deps.clock.now();
    if (entry.expiresAt !== null && now >= entry.expiresAt) {
      this.lru.delete(hash);
      return null;
    }
    return andThen(this.deps.users.get(entry.userId), (user) => {
      if (!user) return null;
      if (now - entry.usedAt >= USAGE_INTERVAL_MS) {
        entry.usedAt = now;
        this.usage.add(entry.tokenId, now);
      }
      return { user, tokenId: entry.tokenId, scopes: entry.scopes };
    });
  }

  private async fromRedis(hash: string): Promise<CachedPat | undefined> {
    const raw = await this.deps.store.get(redisKey(hash));
    if (!raw) return undefined;
    try {
      // usedAt is per instance: a fresh copy has not queued a write yet.
      return { ...(JSON.parse(raw) as CachedPat), usedAt: 0 };
    } catch {
      return undefined;
    }
  }

  private async fromDatabase(hash: string): Promise<CachedPat | undefined> {
    const [row] = await this.deps.db
      .select()
      .from(personalAccessTokens)
      .where(and(eq(personalAccessTokens.tokenHash, hash), isNull(personalAccessTokens.revokedAt)))
      .limit(1);
    if (!row) return undefined;
    const entry: CachedPat = {
      tokenId: row.id,
      userId: row.userId,
      scopes: row.scopes,
      expiresAt: row.expiresAt?.getTime() ?? null,
      usedAt: row.lastUsedAt?.getTime() ?? 0,
    };
    await this.deps.store.set(redisKey(hash), JSON.stringify(entry), REDIS_TTL_SECONDS);
    return entry;
  }

  /** After the revocation committed: drop the token from Redis and every instance's LRU. */
  private async invalidate(hashes: string[]) {
    await this.deps.store.del(...hashes.map(redisKey));
    const payload = JSON.stringify({ hashes });
    this.applyInvalidation(payload);
    await this.deps.store.publish(CHANNEL, payload);
  }

  private applyInvalidation(raw: string) {
    try {
      const message = JSON.parse(raw) as { hashes?: string[] };
      for (const hash of message.hashes ?? []) this.lru.delete(hash);
    } catch {}
  }

  /** The row of a presented token, for cli-logout. */
  async findLive(token: string) {
    if (!isWellFormedPersonalAccessToken(token)) return undefined;
    const [row] = await this.deps.db
      .select()
      .from(personalAccessTokens)
      .where(
        and(
          eq(personalAccessTokens.tokenHash, sha256Hex(token)),
          isNull(personalAccessTokens.revokedAt),
        ),
      )
      .limit(1);
    return row;
  }

  flushUsage() {
    return this.usage.flush();
  }

  stop() {
    return this.usage.stop();
  }
}
