import type Redis from 'ioredis';
import type { Clock } from '../../lib/clock';
import type { LimitState } from './limit-state';

interface KeyWindow {
  window: number;
  /** The count across all instances as of the last sync (this instance's hits included). */
  synced: number;
  /** Hits on this instance not yet added to the shared count. */
  pending: number;
  rejectedOnce: boolean;
}

export interface WindowCounterDeps {
  limit: number;
  windowMs: number;
  clock: Clock;
  shared?: { redis: Redis; prefix: string; syncEveryMs?: number };
}

/**
 * The general request limit, counted without a promise or a network round trip per request.
 * Windows are aligned to the clock (floor(now / window)), so every instance agrees on them.
 * With Redis, each instance adds its local hits to the shared count in one pipelined
 * INCRBY per key every `syncEveryMs` and reads the total back: the limit holds across
 * instances to within one sync interval of traffic. Without Redis (or while it is down) the
 * count is this process's own. (rate-limiter-flexible, used for the login and registration
 * limits, which must be exact, cost a fifth of /auth/me's throughput on this path.)
 */
export class WindowCounter {
  private readonly keys = new Map<string, KeyWindow>();
  private readonly timer: ReturnType<typeof setInterval>;
  private syncing = false;

  constructor(private readonly deps: WindowCounterDeps) {
    const { shared } = deps;
    this.timer = setInterval(() => void this.tick(), shared?.syncEveryMs ?? 1000);
    this.timer.unref?.();
  }

  hit(key: string): LimitState {
    const now = this.deps.clock.now();
    const window = Math.floor(now / this.deps.windowMs);
    let state = this.keys.get(key);
    if (!state || state.window !== window) {
      state = { window, synced: 0, pending: 0, rejectedOnce: false };
      this.keys.set(key, state);
    }
    state.pending += 1;
    const count = state.synced + state.pending;
    const allowed = count <= this.deps.limit;
    const firstRejection = !allowed && !state.rejectedOnce;
    if (!allowed) state.rejectedOnce = true;
    return {
      limit: this.deps.limit,
      remaining: Math.max(0, this.deps.limit - count),
      resetSeconds: Math.max(1, Math.ceil(((window + 1) * this.deps.windowMs - now) / 1000)),
      allowed,
      firstRejection,
    };
  }

  private async tick() {
    const window = Math.floor(this.deps.clock.now() / this.deps.windowMs);
    for (const [key, state] of this.keys) if (state.window < window) this.keys.delete(key);
    if (this.deps.shared && !this.syncing) await this.sync();
  }

  /** Pushes local hits to Redis and takes back the totals. Public for tests. */
  async sync(): Promise<void> {
    const shared = this.deps.shared;
    if (shared?.redis.status !== 'ready') return;
    const batch = [...this.keys].filter(([, s]) => s.pending > 0);
    if (batch.length === 0) return;
    this.syncing = true;
    const sent = batch.map(([, s]) => s.pending);
    const pipeline = shared.redis.pipeline();
    for (const [key, state] of batch) {
      const redisKey = `${shared.prefix}${state.window}:${key}`;
      pipeline.incrby(redisKey, state.pending).pexpire(redisKey, this.deps.windowMs * 2);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      batch.forEach(([, state], i) => {
        const [err, total] = results[i * 2] ?? [];
        if (err || typeof total !== 'number') return;
        // Hits that arrived during the round trip stay pending for the next sync.
        state.pending -= sent[i]!;
        state.synced = total;
      });
    } catch {
      // Redis went away mid-sync: keep counting locally, try again next tick.
    } finally {
      this.syncing = false;
    }
  }

  stop() {
    clearInterval(this.timer);
  }
}
