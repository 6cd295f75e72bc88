import { and, eq, isNull } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { SharedStore } from '../../cache/shared-store';
import type { Database } from '../../db/client';
import { users } from '../../db/schema';
import type { MaybePromise } from '../../lib/maybe-promise';
import { type AuthUser, toAuthUser } from '../auth/types';

/** The channel SessionService publishes on whenever a user's record or access changes. */
const USER_INVALIDATION_CHANNEL = 'auth:invalidate';
const TTL_MS = 60_000;

export interface ActiveUserCacheDeps {
  db: Database;
  store: SharedStore;
}

/**
 * Active users by id for token authentication (PATs, JWTs): token caches hold only the facts of
 * the token, and the user comes from here, so a role change, disabling or deletion published
 * by the user service reaches token holders on every instance as soon as it reaches sessions.
 * A deleted or disabled user is cached as null (a miss would hit the database every request).
 */
export class ActiveUserCache {
  private readonly lru = new LRUCache<number, { user: AuthUser | null }>({
    max: 20_000,
    ttl: TTL_MS,
  });
  private readonly loading = new Map<number, Promise<AuthUser | null>>();
  /** Bumped by every invalidation, so a load that started before one does not cache stale data. */
  private epoch = 0;

  constructor(private readonly deps: ActiveUserCacheDeps) {
    const { store } = deps;
    store.onResync(() => {
      this.epoch += 1;
      this.lru.clear();
    });
    store.subscribe(USER_INVALIDATION_CHANNEL, (raw) => {
      try {
        const message = JSON.parse(raw) as { userId?: number };
        if (typeof message.userId === 'number') this.forget(message.userId);
      } catch {}
    });
  }

  forget(userId: number) {
    this.epoch += 1;
    this.lru.delete(userId);
    this.loading.delete(userId);
  }

  /** Synchronous on a cache hit. */
  get(userId: number): MaybePromise<AuthUser | null> {
    const hit = this.deps.store.invalidationReliable() ? this.lru.get(userId) : undefined;
    if (hit) return hit.user;
    // Concurrent misses for one user share one query.
    let pending = this.loading.get(userId);
    if (!pending) {
      pending = this.load(userId).finally(() => this.loading.delete(userId));
      this.loading.set(userId, pending);
    }
    return pending;
  }

  private async load(userId: number): Promise<AuthUser | null> {
    const epoch = this.epoch;
    const [row] = await this.deps.db
      .select()
      .from(users)
      .where(and(eq(users.id, userId), isNull(users.deletedAt), isNull(users.disabledAt)))
      .limit(1);
    const user = row ? toAuthUser(row) : null;
    if (epoch === this.epoch) this.lru.set(userId, { user });
    return user;
  }
}
