import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { Config } from '../../config';
import { isAllowedOrigin } from '../../lib/origins';
import type { AppEnv } from '../app-env';

export function corsMiddleware(config: Config): MiddlewareHandler<AppEnv> {
  return cors({
    origin: (origin) => (origin && isAllowedOrigin(origin, config) ? origin : null),
    credentials: true,
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
    exposeHeaders: [
      'X-Request-Id',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Retry-After',
    ],
    maxAge: 600,
  });
}

/** API responses are JSON: nothing may be framed, run or loaded from them. */
export function securityHeaders(config: Config): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    strictTransportSecurity: config.isProduction ? 'max-age=63072000; includeSubDomains' : false,
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    crossOriginResourcePolicy: 'same-origin',
    // A page that sets its own policy (the /login and sign-in pages, /docs) keeps it.
    overwrite: false,
  });
}
