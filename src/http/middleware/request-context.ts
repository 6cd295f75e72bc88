import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import type { Metrics } from '../../services/observability/metrics';
import type { AppEnv } from '../app-env';
import { clientIp } from '../client-ip';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The route pattern the request was for (`/api/public/v1/users/:id`), for metrics: bounded,
 * unlike paths. Middleware is registered for every method (ALL); the last route of the
 * request's own method is its endpoint, even when a middleware answered first (401, 429).
 * A path no endpoint has is `unmatched`.
 */
function routeLabel(c: Context): string {
  return matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched';
}

/**
 * Request id (kept when the caller sent a sane one), client address, a child logger, and
 * one access-log line and one metrics observation per request. The log carries the path only: query strings can hold
 * one-time codes, and headers (cookies, tokens) are never logged.
 */
export function requestContext(
  logger: Logger,
  trustProxy: number,
  metrics: Metrics,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && VALID_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', requestId);
    c.set('ip', clientIp(c, trustProxy));
    c.set('logger', logger);
    c.header('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const status = c.res.status;
      const elapsedMs = performance.now() - started;
      metrics.observeRequest(c.req.method, routeLabel(c), status, elapsedMs / 1000);
      const line = {
        requestId,
        method: c.req.method,
        path: c.req.path,
        status,
        durationMs: Math.round(elapsedMs * 100) / 100,
        userId: c.get('auth')?.user.id,
        ip: c.get('ip'),
      };
      if (status >= 500) logger.error(line, 'request');
      else logger.info(line, 'request');
    }
  };
}
