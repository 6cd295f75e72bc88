import type { MiddlewareHandler } from 'hono';
import type { Database } from '../../db/client';
import { recordAudit } from '../../services/audit/audit-service';
import type { RateLimits } from '../../services/limits/rate-limits';
import type { AppEnv } from '../app-env';
import { errorResponse } from '../errors';

/** The general allowance: per user when signed in, per client address otherwise. */
export function rateLimit(limits: RateLimits, db: Database): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    const key = auth ? `u:${auth.user.id}` : `ip:${c.get('ip')}`;
    const state = limits.request(key);
    if (!state.allowed) {
      c.header('RateLimit-Limit', String(state.limit));
      c.header('RateLimit-Remaining', '0');
      c.header('RateLimit-Reset', String(state.resetSeconds));
      if (state.firstRejection) {
        await recordAudit(db, {
          action: 'rate_limit.lockout',
          userId: auth?.user.id,
          details: { scope: 'requests', key: auth ? 'user' : 'ip' },
          ip: c.get('ip'),
          userAgent: c.req.header('user-agent'),
        });
      }
      c.header('Retry-After', String(Math.max(1, state.resetSeconds)));
      return errorResponse(c, 'RATE_LIMITED', 'Too many requests, try again later');
    }
    await next();
    // Set on the finished response: cheaper than preparing them before the route runs.
    const headers = c.res.headers;
    headers.set('RateLimit-Limit', String(state.limit));
    headers.set('RateLimit-Remaining', String(state.remaining));
    headers.set('RateLimit-Reset', String(state.resetSeconds));
  };
}
