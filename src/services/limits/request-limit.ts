import type { SharedStore } from '../../cache/shared-store';
import type { Config } from '../../config';
import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { LimitState } from './limit-state';
import { WindowCounter } from './window-counter';

export interface RequestLimitDeps {
  db: Database;
  store: SharedStore;
  config: Pick<Config, 'rateLimit'>;
  clock: Clock;
}

/**
 * The general allowance of requests per user (signed in) or per address: synchronous, shared
 * through Redis in batches (see WindowCounter).
 */
export class RequestLimit {
  private readonly counter: WindowCounter;

  constructor(private readonly deps: RequestLimitDeps) {
    const { store, config, clock } = deps;
    this.counter = new WindowCounter({
      limit: config.rateLimit.maxRequests,
      windowMs: config.rateLimit.windowMs,
      clock,
      shared: store.redis ? { redis: store.redis, prefix: 'rl:req:', syncEveryMs: 100 } : undefined,
    });
  }

  hit(key: string): LimitState {
    return this.counter.hit(key);
  }

  /** The audit row of a lockout: written once, for the first request refused in a window. */
  recordLockout(key: 'user' | 'ip', userId: number | undefined, meta: RequestMeta) {
    return recordAudit(this.deps.db, {
      action: 'rate_limit.lockout',
      userId,
      details: { scope: 'requests', key },
      ...meta,
    });
  }

  /** Pushes this instance's counts to Redis now (tests; the timer does it otherwise). */
  sync(): Promise<void> {
    return this.counter.sync();
  }

  stop() {
    this.counter.stop();
  }
}
