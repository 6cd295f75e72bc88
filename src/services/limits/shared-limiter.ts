import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
} from 'rate-limiter-flexible';
import type { SharedStore } from '../../cache/shared-store';

/**
 * A rate-limiter-flexible limiter that lives in Redis when Redis is configured, so a limit
 * holds across instances, with an in-memory insurance limiter that takes over while Redis is
 * unreachable.
 */
export function sharedLimiter(
  store: SharedStore,
  keyPrefix: string,
  points: number,
  duration: number,
): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  if (!store.redis) return memory;
  return new RateLimiterRedis({
    storeClient: store.redis,
    keyPrefix: `rl:${keyPrefix}`,
    points,
    duration,
    insuranceLimiter: memory,
  });
}
