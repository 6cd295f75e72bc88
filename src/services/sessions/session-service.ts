import { and, desc, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { SharedStore } from '../../cache/shared-store';
import type { Config } from '../../config';
import type { Database, Queryable } from '../../db/client';
import { type SessionRow, sessions, users } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import type { MaybePromise } from '../../lib/maybe-promise';
import { looksLikeSessionToken, newOpaqueToken, sha256Hex } from '../../lib/tokens';
import { type AuthUser, toAuthUser } from '../auth/types';
import { TimestampBuffer } from '../write-behind/timestamp-buffer';

/** What the caches hold for a session token: enough to authenticate without the database. */
interface CachedSession {
  user: AuthUser;
  sessionId: string;
  expiresAt: number;
  idleExpiresAt: number;
  /** When this instance last queued a last_seen_at write for the session. */
  touchedAt: number;
}

export interface ResolvedSession {
  user: AuthUser;
  sessionId: string;
}

export interface SessionMeta {
  ip?: string;
  userAgent?: string;
  provider?: string;
}

const INVALIDATION_CHANNEL = 'auth:invalidate';
const LRU_TTL_MS = 5 * 60_000;
const REDIS_TTL_SECONDS = 5 * 60;
/** last_seen_at is written at most this often per session. */
const TOUCH_INTERVAL_MS = 60_000;
const redisKey = (hash: string) => `sess:${hash}`;

interface InvalidationMessage {
  hashes?: string[];
  userId?: number;
}

export interface SessionServiceDeps {
  db: Database;
  store: SharedStore;
  config: Pick<Config, 'session'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Session tokens: creation, lookup through LRU → Redis → database, and revocation that reaches
 * every instance (database first, then a pub/sub invalidation each instance applies to its LRU).
 */
export class SessionService {
  private readonly lru = new LRUCache<string, CachedSession>({ max: 10_000, ttl: LRU_TTL_MS });
  /** last_seen_at writes, batched off the request path. */
  private readonly touches: TimestampBuffer;
  private readonly purgeTimer: ReturnType<typeof setInterval>;
  /** Other credential kinds (refresh tokens, access JWTs) revoked in the same transaction. */
  private readonly revokeAllHooks: Array<(q: Queryable, userId: number) => Promise<unknown>> = [];

  constructor(private readonly deps: SessionServiceDeps) {
    const { db, store, config, logger } = deps;
    const idleSeconds = config.session.idleSeconds;
    this.touches = new TimestampBuffer({
      db,
      logger,
      name: 'session touch',
      statement: (rows) => sql`
        update sessions s
           set last_seen_at = greatest(s.last_seen_at, v.seen),
               idle_expires_at = greatest(s.idle_expires_at, v.seen + make_interval(secs => ${idleSeconds}))
          from (values ${rows}) as v(id, seen)
         where s.id = v.id and s.revoked_at is null`,
    });
    this.purgeTimer = setInterval(() => {
      this.purgeExpired().catch((err) =>
        logger.warn({ err: (err as Error).message }, 'session purge failed'),
      );
    }, 3_600_000);
    this.purgeTimer.unref?.();
    store.subscribe(INVALIDATION_CHANNEL, (raw) => this.applyInvalidation(raw));
    // Messages may have been lost while the bus was down: forget everything cached locally.
    store.onResync(() => this.lru.clear());
  }

  /** Inserts a new session (new token at every login: no fixation). */
  async create(q: Queryable, userId: number, meta: SessionMeta) {
    const token = newOpaqueToken();
    const now = this.deps.clock.now();
    const [row] = await q
      .insert(sessions)
      .values({
        userId,
        tokenHash: sha256Hex(token),
        provider: meta.provider ?? 'password',
        ip: meta.ip,
        userAgent: meta.userAgent?.slice(0, 512),
        createdAt: new Date(now),
        lastSeenAt: new Date(now),
        expiresAt: new Date(now + this.deps.config.session.ttlSeconds * 1000),
        idleExpiresAt: new Date(now + this.deps.config.session.idleSeconds * 1000),
      })
      .returning();
    return { token, session: row! };
  }

  /**
   * Resolves a token to its user, or null when it is unknown, expired, idle or revoked.
   * A live session in the in-process cache answers synchronously (the hot path).
   */
  resolve(token: string): MaybePromise<ResolvedSession | null> {
    if (!looksLikeSessionToken(token)) return null;
    const hash = sha256Hex(token);
    const now = this.deps.clock.now();
    const entry = this.deps.store.invalidationReliable() ? this.lru.get(hash) : undefined;
    if (entry && now < entry.expiresAt && now < entry.idleExpiresAt) {
      this.touch(entry, now);
      return { user: entry.user, sessionId: entry.sessionId };
    }
    return this.resolveSlowly(hash, now, entry);
  }

  private async resolveSlowly(
    hash: string,
    now: number,
    cached: CachedSession | undefined,
  ): Promise<ResolvedSession | null> {
    let entry = cached;
    let fromDatabase = false;
    if (!entry) {
      entry = await this.fromRedis(hash);
      if (!entry) {
        entry = await this.fromDatabase(hash);
        fromDatabase = true;
      }
      if (!entry) return null;
      this.lru.set(hash, entry);
    }
    if (now >= entry.expiresAt) return this.drop(hash);
    if (now >= entry.idleExpiresAt) {
      // Another instance may have kept the session alive: only the database can say it is idle.
      const fresh = fromDatabase ? entry : await this.fromDatabase(hash);
      if (!fresh || now >= fresh.idleExpiresAt) return this.drop(hash);
      entry = fresh;
      this.lru.set(hash, entry);
    }
    this.touch(entry, now);
    return { user: entry.user, sessionId: entry.sessionId };
  }

  private touch(entry: CachedSession, now: number) {
    entry.idleExpiresAt = Math.max(
      entry.idleExpiresAt,
      now + this.deps.config.session.idleSeconds * 1000,
    );
    if (now - entry.touchedAt < TOUCH_INTERVAL_MS) return;
    entry.touchedAt = now;
    this.touches.add(entry.sessionId, now);
  }

  private drop(hash: string): null {
    this.lru.delete(hash);
    return null;
  }

  private async fromRedis(hash: string): Promise<CachedSession | undefined> {
    const raw = await this.deps.store.get(redisKey(hash));
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as CachedSession;
    } catch {
      return undefined;
    }
  }

  private async fromDatabase(hash: string): Promise<CachedSession | undefined> {
    const now = new Date(this.deps.clock.now());
    const [row] = await this.deps.db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(
        and(
          eq(sessions.tokenHash, hash),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, now),
          isNull(users.deletedAt),
          isNull(users.disabledAt),
        ),
      )
      .limit(1);
    if (!row) return undefined;
    const entry: CachedSession = {
      user: toAuthUser(row.user),
      sessionId: row.session.id,
      expiresAt: row.session.expiresAt.getTime(),
      idleExpiresAt: row.session.idleExpiresAt.getTime(),
      touchedAt: row.session.lastSeenAt.getTime(),
    };
    const ttl = Math.min(REDIS_TTL_SECONDS, (entry.expiresAt - now.getTime()) / 1000);
    await this.deps.store.set(redisKey(hash), JSON.stringify(entry), ttl);
    return entry;
  }

  /** The user's live sessions, newest first. */
  listForUser(userId: number) {
    return this.deps.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), ...this.liveConditions()))
      .orderBy(desc(sessions.createdAt));
  }

  private liveConditions() {
    const now = new Date(this.deps.clock.now());
    return [
      isNull(sessions.revokedAt),
      gt(sessions.expiresAt, now),
      gt(sessions.idleExpiresAt, now),
    ];
  }

  /** Revokes one of the user's sessions; returns the revoked row, or undefined if not theirs. */
  async revokeOwn(
    q: Queryable,
    userId: number,
    sessionId: string,
  ): Promise<SessionRow | undefined> {
    const [row] = await q
      .update(sessions)
      .set({ revokedAt: new Date(this.deps.clock.now()) })
      .where(
        and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)),
      )
      .returning();
    return row;
  }

  /** Registers work that must happen whenever all of a user's sessions are revoked. */
  onRevokeAllForUser(hook: (q: Queryable, userId: number) => Promise<unknown>) {
    this.revokeAllHooks.push(hook);
  }

  /** Revokes every live session of a user, optionally keeping one. Returns the token hashes. */
  async revokeAllForUser(
    q: Queryable,
    userId: number,
    exceptSessionId?: string,
  ): Promise<string[]> {
    const rows = await q
      .update(sessions)
      .set({ revokedAt: new Date(this.deps.clock.now()) })
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          exceptSessionId ? ne(sessions.id, exceptSessionId) : undefined,
        ),
      )
      .returning({ tokenHash: sessions.tokenHash });
    for (const hook of this.revokeAllHooks) await hook(q, userId);
    return rows.map((r) => r.tokenHash);
  }

  /**
   * Tells every instance to forget cached sessions. Call after the database change has
   * committed, so no instance can re-read the old state into its cache.
   */
  async invalidate(message: InvalidationMessage): Promise<void> {
    const hashes = [...(message.hashes ?? [])];
    if (message.userId !== undefined) {
      // Also cached copies of sessions that stay valid but hold a stale user (name, role, team).
      const live = await this.deps.db
        .select({ tokenHash: sessions.tokenHash })
        .from(sessions)
        .where(and(eq(sessions.userId, message.userId), isNull(sessions.revokedAt)));
      hashes.push(...live.map((r) => r.tokenHash));
    }
    await this.deps.store.del(...hashes.map(redisKey));
    const payload = JSON.stringify({ hashes, userId: message.userId });
    this.applyInvalidation(payload);
    await this.deps.store.publish(INVALIDATION_CHANNEL, payload);
  }

  private applyInvalidation(raw: string) {
    let message: InvalidationMessage;
    try {
      message = JSON.parse(raw) as InvalidationMessage;
    } catch {
      return;
    }
    for (const hash of message.hashes ?? []) this.lru.delete(hash);
    if (message.userId !== undefined) {
      for (const [hash, entry] of this.lru.entries()) {
        if (entry.user.id === message.userId) this.lru.delete(hash);
      }
    }
  }

  /** Removes sessions that ended more than 30 days ago; runs hourly on every instance (idempotent). */
  async purgeExpired(olderThanDays = 30): Promise<number> {
    const cutoff = new Date(this.deps.clock.now() - olderThanDays * 86_400_000);
    const rows = await this.deps.db
      .delete(sessions)
      .where(or(lt(sessions.expiresAt, cutoff), lt(sessions.revokedAt, cutoff)))
      .returning({ id: sessions.id });
    return rows.length;
  }

  stop(): Promise<void> {
    clearInterval(this.purgeTimer);
    return this.touches.stop();
  }
}
