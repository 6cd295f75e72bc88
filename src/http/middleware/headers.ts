import type { MiddlewareHandler } from 'hono';
import type { Config } from '../../config';
import { isAllowedOrigin } from '../../lib/origins';
import type { AppEnv } from '../app-env';

/*
 * CORS and security headers run on every response, so they are written here as plain loops
 * over precomputed header lists: hono/cors touched the response before the route ran, which
 * made Hono copy every header into the route's response, and together the two middlewares
 * were the largest cost of a request after logging.
 */

const ALLOW_METHODS = 'GET,POST,PUT,PATCH,DELETE,OPTIONS';
const ALLOW_HEADERS = 'Content-Type,Authorization,X-Request-Id';
const EXPOSE_HEADERS =
  'X-Request-Id,RateLimit-Limit,RateLimit-Remaining,RateLimit-Reset,Retry-After';

/**
 * Credentialed CORS for the allowed origins only (APP_URL, CORS_ORIGIN, FRONTEND_URL, and any
 * http://localhost:* in development). Other origins get no CORS headers at all.
 */
export function corsMiddleware(config: Config): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && isAllowedOrigin(origin, config);
    if (
      c.req.method === 'OPTIONS' &&
      origin !== undefined &&
      c.req.header('access-control-request-method')
    ) {
      c.header('Vary', 'Origin');
      if (allowed) {
        c.header('Access-Control-Allow-Origin', origin);
        c.header('Access-Control-Allow-Credentials', 'true');
        c.header('Access-Control-Allow-Methods', ALLOW_METHODS);
        c.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
        c.header('Access-Control-Max-Age', '600');
      }
      return c.body(null, 204);
    }
    await next();
    if (origin === undefined) return;
    const headers = c.res.headers;
    headers.append('Vary', 'Origin');
    if (!allowed) return;
    headers.set('Access-Control-Allow-Origin', origin);
    headers.set('Access-Control-Allow-Credentials', 'true');
    headers.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  };
}

/**
 * API responses are JSON: nothing may frame, sniff, run or load from them. A page that sets
 * its own Content-Security-Policy (/login, the sign-in pages, /docs) keeps it.
 */
export function securityHeaders(config: Config): MiddlewareHandler<AppEnv> {
  const list: Array<[string, string]> = [
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['X-Permitted-Cross-Domain-Policies', 'none'],
  ];
  if (config.isProduction) {
    list.push(['Strict-Transport-Security', 'max-age=63072000; includeSubDomains']);
  }
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    for (const [name, value] of list) {
      if (!headers.has(name)) headers.set(name, value);
    }
  };
}
