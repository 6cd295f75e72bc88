import type { MiddlewareHandler } from 'hono';
import type { Database } from '../../db/client';
import { recordAudit } from '../../services/audit/audit-service';
import type { RateLimits } from '../../services/rate-limits';
import type { AppEnv } from '../app-env';
import { errorResponse } from '../errors';

/** The general allowance: per user when signed in, per client address otherwise. */
export function rateLimit(limits: RateLimits, db: Database): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    const key = auth ? `u:${auth.user.id}` : `ip:${c.get('ip')}`;
    const state = await limits.request(key);
    c.header('RateLimit-Limit', String(state.limit));
    c.header('RateLimit-Remaining', String(state.remaining));
    c.header('RateLimit-Reset', String(state.resetSeconds));
    if (!state.allowed) {
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
    return next();
  };
}
