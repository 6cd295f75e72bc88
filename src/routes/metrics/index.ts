import { Hono } from 'hono';
import type { Config } from '../../config';
import type { AppEnv } from '../../http/app-env';
import { errorResponse } from '../../http/errors';
import { bearerToken } from '../../http/middleware/auth';
import { constantTimeEqual } from '../../lib/tokens';
import type { Metrics } from '../../services/observability/metrics';

/**
 * Mounted at /metrics: GET /metrics in Prometheus' text format. With METRICS_TOKEN set, the scraper must present it
 * as a Bearer token (compared in constant time); without it the endpoint is open in
 * development and absent (404) in production, so it is never public by accident.
 */
export function metricsRoute(metrics: Metrics, settings: Config['metrics']) {
  return new Hono<AppEnv>().get('/', async (c) => {
    if (!settings.enabled) return errorResponse(c, 'NOT_FOUND', 'Not found');
    if (settings.token) {
      const presented = bearerToken(c.req.header('authorization') ?? '');
      if (!presented || !constantTimeEqual(presented, settings.token)) {
        c.header('WWW-Authenticate', 'Bearer realm="metrics"');
        return errorResponse(c, 'UNAUTHENTICATED', 'The metrics token is missing or wrong');
      }
    }
    c.header('Content-Type', metrics.contentType);
    c.header('Cache-Control', 'no-store');
    return c.body(await metrics.render());
  });
}
