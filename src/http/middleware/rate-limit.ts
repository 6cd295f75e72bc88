import type { MiddlewareHandler } from 'hono';
import type { RequestLimit } from '../../services/limits/request-limit';
import type { AppEnv } from '../app-env';
import { errorResponse } from '../errors';
import { requestMeta } from '../request-meta';

/** The general allowance: per user when signed in, per client address otherwise. */
export function rateLimit(limit: RequestLimit): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    const key = auth ? `u:${auth.user.id}` : `ip:${c.get('ip')}`;
    const state = limit.hit(key);
    if (!state.allowed) {
      c.header('RateLimit-Limit', String(state.limit));
      c.header('RateLimit-Remaining', '0');
      c.header('RateLimit-Reset', String(state.resetSeconds));
      if (state.firstRejection) {
        await limit.recordLockout(auth ? 'user' : 'ip', auth?.user.id, requestMeta(c));
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
