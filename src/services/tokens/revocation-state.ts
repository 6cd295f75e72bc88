import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { SharedStore } from '../../cache/shared-store';
import type { Database, Queryable } from '../../db/client';
import { refreshTokens, revokedTokenFamilies, userTokenState } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import type { MaybePromise } from '../../lib/maybe-promise';

const USER_CHANNEL = 'auth:invalidate';
const FAMILY_CHANNEL = 'tokens:families-revoked';
const NOT_BEFORE_CHANNEL = 'tokens:not-before';
/**
 * revokeAllForUser runs inside someone else's transaction and cannot see its commit, so it
 * announces the new "not before" at once and every other instance polls the database until the
 * committed value shows up (a rolled-back change never does; they give up after a while).
 */
const NOT_BEFORE_POLL_MS = 25;
const NOT_BEFORE_POLL_FOR_MS = 5_000;

export interface TokenRevocationStateDeps {
  db: Database;
  store: SharedStore;
  clock: Clock;
  accessTtlSeconds: number;
  logger: Logger;
}

/**
 * What makes an unexpired access JWT invalid anyway: a per-user "not before" (password change,
 * disabling, role change) and revoked refresh families (logout, reuse detection), which access
 * JWTs name as `sid`. Only entries younger than the access-token lifetime matter (older tokens
 * have expired by themselves), so each instance keeps all of them in memory: loaded at start,
 * kept current through pub/sub, reloaded after a bus interruption. No database on the hot path.
 */
export class TokenRevocationState {
  private notBefore = new Map<number, number>();
  private families = new Map<string, number>();
  private loading: Promise<void> | undefined;

  constructor(private readonly deps: TokenRevocationStateDeps) {
    const { store } = deps;
    store.subscribe(USER_CHANNEL, (raw) => {
      try {
        const message = JSON.parse(raw) as { userId?: number };
        if (typeof message.userId === 'number') void this.refreshUser(message.userId);
      } catch {}
    });
    store.subscribe(NOT_BEFORE_CHANNEL, (raw) => {
      const [user, at] = raw.split(':').map(Number);
      if (Number.isInteger(user) && Number.isFinite(at)) void this.awaitNotBefore(user!, at!);
    });
    store.subscribe(FAMILY_CHANNEL, (raw) => {
      try {
        for (const id of JSON.parse(raw) as string[]) this.families.set(id, this.deps.clock.now());
      } catch {}
    });
    store.onResync(() => {
      this.loading = undefined;
      void this.ready();
    });
  }

  /** True once loaded: the hot path then skips awaiting. */
  loaded = false;

  ready(): Promise<void> {
    this.loading ??= this.load().catch((err) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  private async load() {
    const since = new Date(this.deps.clock.now() - this.deps.accessTtlSeconds * 1000 - 60_000);
    const [users, families] = await Promise.all([
      this.deps.db.select().from(userTokenState).where(gt(userTokenState.notBefore, since)),
      this.deps.db
        .select()
        .from(revokedTokenFamilies)
        .where(gt(revokedTokenFamilies.revokedAt, since)),
    ]);
    this.notBefore = new Map(users.map((u) => [u.userId, u.notBefore.getTime()]));
    this.families = new Map(families.map((f) => [f.familyId, f.revokedAt.getTime()]));
    this.loaded = true;
  }

  private async refreshUser(userId: number) {
    try {
      const [row] = await this.deps.db
        .select()
        .from(userTokenState)
        .where(eq(userTokenState.userId, userId));
      if (row) this.notBefore.set(userId, row.notBefore.getTime());
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'not-before refresh failed');
    }
  }

  /** True when a token of this user issued at `issuedAtMs` in family `familyId` was revoked. */
  isRevoked(userId: number | undefined, issuedAtMs: number, familyId: string | undefined) {
    if (familyId !== undefined && this.families.has(familyId)) return true;
    if (userId === undefined) return false;
    const nb = this.notBefore.get(userId);
    return nb !== undefined && issuedAtMs < nb;
  }

  /**
   * Like isRevoked, but while the pub/sub bus is down (announcements may be missed) the
   * database answers instead, as sessions bypass their LRU then: slower, never stale.
   */
  isRevokedNow(
    userId: number | undefined,
    issuedAtMs: number,
    familyId?: string,
  ): MaybePromise<boolean> {
    if (this.deps.store.invalidationReliable()) return this.isRevoked(userId, issuedAtMs, familyId);
    return this.isRevokedInDatabase(userId, issuedAtMs, familyId);
  }

  private async isRevokedInDatabase(
    userId: number | undefined,
    issuedAtMs: number,
    familyId: string | undefined,
  ) {
    const [family, user] = await Promise.all([
      familyId
        ? this.deps.db
            .select({ id: revokedTokenFamilies.familyId })
            .from(revokedTokenFamilies)
            .where(eq(revokedTokenFamilies.familyId, familyId))
        : [],
      userId !== undefined
        ? this.deps.db.select().from(userTokenState).where(eq(userTokenState.userId, userId))
        : [],
    ]);
    if (family.length > 0) return true;
    const nb = user[0]?.notBefore.getTime();
    return nb !== undefined && issuedAtMs < nb;
  }

  /**
   * Inside the caller's transaction: every refresh family of the user is revoked and access
   * tokens issued until now are refused. Other instances learn it from the user invalidation
   * the caller may publish after the commit, and from the announcements scheduled here.
   */
  async revokeAllForUser(q: Queryable, userId: number) {
    const now = new Date(this.deps.clock.now());
    await q
      .insert(userTokenState)
      .values({ userId, notBefore: now })
      .onConflictDoUpdate({ target: userTokenState.userId, set: { notBefore: now } });
    const families = await q
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
      .returning({ familyId: refreshTokens.familyId });
    await this.recordFamilies(q, [...new Set(families.map((f) => f.familyId))]);
    // This instance applies it at once; the others when an announcement arrives.
    this.notBefore.set(userId, now.getTime());
    void this.deps.store.publish(NOT_BEFORE_CHANNEL, `${userId}:${now.getTime()}`);
  }

  /** Polls until the announced "not before" has committed, then applies it. */
  private async awaitNotBefore(userId: number, at: number) {
    if ((this.notBefore.get(userId) ?? 0) >= at) return;
    // Wall-clock on purpose: this bounds real waiting (Bun.sleep), which a test clock that
    // stands still would turn into an endless loop. It is not "now" for any stored value.
    const giveUpAt = Date.now() + NOT_BEFORE_POLL_FOR_MS;
    while (Date.now() < giveUpAt) {
      try {
        const [row] = await this.deps.db
          .select()
          .from(userTokenState)
          .where(eq(userTokenState.userId, userId));
        if (row && row.notBefore.getTime() >= at) {
          const known = this.notBefore.get(userId) ?? 0;
          this.notBefore.set(userId, Math.max(known, row.notBefore.getTime()));
          return;
        }
      } catch (err) {
        this.deps.logger.warn({ err: (err as Error).message }, 'not-before poll failed');
      }
      await Bun.sleep(NOT_BEFORE_POLL_MS);
    }
  }

  /** Inside the caller's transaction: marks families revoked (the caller publishes after). */
  async recordFamilies(q: Queryable, familyIds: string[]) {
    if (familyIds.length === 0) return;
    await q
      .insert(revokedTokenFamilies)
      .values(
        familyIds.map((familyId) => ({ familyId, revokedAt: new Date(this.deps.clock.now()) })),
      )
      .onConflictDoNothing();
  }

  /** After the commit: every instance refuses access tokens of these families. */
  async publishFamilies(familyIds: string[]) {
    if (familyIds.length === 0) return;
    for (const id of familyIds) this.families.set(id, this.deps.clock.now());
    await this.deps.store.publish(FAMILY_CHANNEL, JSON.stringify(familyIds));
  }

  /** Forgets entries older than any live access token (periodic). */
  prune() {
    const cutoff = this.deps.clock.now() - this.deps.accessTtlSeconds * 1000 - 60_000;
    for (const [k, v] of this.notBefore) if (v < cutoff) this.notBefore.delete(k);
    for (const [k, v] of this.families) if (v < cutoff) this.families.delete(k);
  }

  async purgeOld(q: Queryable) {
    const cutoff = new Date(this.deps.clock.now() - this.deps.accessTtlSeconds * 1000 - 3_600_000);
    await q.delete(revokedTokenFamilies).where(lt(revokedTokenFamilies.revokedAt, cutoff));
  }
}
