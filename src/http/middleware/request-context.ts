import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from '../app-env';
import { clientIp } from '../client-ip';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request id (kept when the caller sent a sane one), client address, a child logger, and
 * one access-log line per request. The log carries the path only: query strings can hold
 * one-time codes, and headers (cookies, tokens) are never logged.
 */
export function requestContext(logger: Logger, trustProxy: number): MiddlewareHandler<AppEnv> {
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
      const line = {
        requestId,
        method: c.req.method,
        path: c.req.path,
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        userId: c.get('auth')?.user.id,
        ip: c.get('ip'),
      };
      if (status >= 500) logger.error(line, 'request');
      else logger.info(line, 'request');
    }
  };
}
