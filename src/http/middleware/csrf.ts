import type { MiddlewareHandler } from 'hono';
import type { Config } from '../../config';
import { isAllowedOrigin } from '../../lib/origins';
import type { AppEnv } from '../app-env';
import { errorResponse } from '../errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery defence for cookie-authenticated requests (SameSite=Lax is the
 * first layer). A state-changing request must show an allowed Origin, or Sec-Fetch-Site:
 * same-origin. Any request announcing a foreign Origin is refused too, which also stops
 * login CSRF. Bearer requests carry their credential explicitly and are exempt.
 */
export function csrf(config: Config): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    const sameOriginFetch = c.req.header('sec-fetch-site') === 'same-origin';
    const originOk = origin !== undefined && origin !== 'null' && isAllowedOrigin(origin, config);
    if (origin !== undefined && !originOk && !sameOriginFetch) {
      return errorResponse(c, 'FORBIDDEN', 'Cross-site request refused');
    }
    if (c.get('auth')?.via === 'cookie' && !originOk && !sameOriginFetch) {
      return errorResponse(c, 'FORBIDDEN', 'Cross-site request refused: missing Origin');
    }
    return next();
  };
}
