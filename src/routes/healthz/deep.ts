import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import packageJson from '../../../package.json' with { type: 'json' };
import type { SharedStore } from '../../cache/shared-store';
import type { DatabaseHandle } from '../../db/client';
import type { AppEnv } from '../../http/app-env';
import { errorResponses } from '../../http/errors';
import { authenticate, bearerToken, requireAuth, requireRole } from '../../http/middleware/auth';
import { enforceTokenScopes } from '../../http/middleware/token-scopes';
import type { Clock } from '../../lib/clock';
import { constantTimeEqual } from '../../lib/tokens';
import { CHECK_NAMES, deepHealth } from '../../services/health/deep-health';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const common = {
  status: z.enum(['ok', 'fail', 'disabled']),
  required: z.boolean().openapi({ description: 'A failing required check makes the answer 503' }),
  latencyMs: z.number(),
  error: z.string().optional(),
};
const check = <T extends z.ZodRawShape>(shape: T, description: string) =>
  z.object({ ...common, ...shape }).openapi({ description });

const report = z.object({
  status: z.enum(['ok', 'unavailable']),
  failing: z.array(z.enum(CHECK_NAMES)).openapi({ description: 'Required checks that failed' }),
  degraded: z.array(z.enum(CHECK_NAMES)).openapi({ description: 'Optional checks that failed' }),
  checks: z.object({
    database: check({ kind: z.enum(['postgres', 'pglite']).optional() }, '`select 1`'),
    migrations: check(
      {
        applied: z.number().int().optional(),
        expected: z.number().int().optional(),
        pending: z.array(z.string()).optional(),
      },
      'Migrations this build ships against those the database recorded',
    ),
    redis: check(
      {
        mode: z.enum(['memory', 'standalone', 'sentinel']).optional(),
        address: z.string().optional(),
        subscriberAddress: z.string().optional(),
        role: z.string().optional(),
      },
      'PING and ROLE; in Sentinel mode the current primary. Required when Redis is configured',
    ),
    kuberag: check(
      {
        state: z.enum(['connected', 'unavailable', 'disabled']).optional(),
        breaker: z.enum(['closed', 'open', 'half-open']).optional(),
      },
      'KubeRAG and its circuit breaker; not required',
    ),
    mail: check(
      { host: z.string().optional(), port: z.number().int().optional() },
      "The SMTP server's greeting, when SMTP_URL is set; not required",
    ),
    disk: check(
      {
        path: z.string().optional(),
        freeBytes: z.number().optional(),
        totalBytes: z.number().optional(),
        freeRatio: z.number().optional(),
      },
      'Free space of DATA_DIR with the embedded database (fails under 100 MiB or 5 %)',
    ),
    signingKey: check(
      {
        kid: z.string().nullable().optional(),
        alg: z.string().nullable().optional(),
        createdAt: z.string().nullable().optional(),
        ageSeconds: z.number().int().nullable().optional(),
      },
      "The active access-token signing key's age; not required",
    ),
  }),
  version: z.string(),
  timestamp: z.string(),
});

const deepRoute = (access: MiddlewareHandler<AppEnv>) =>
  createRoute({
    method: 'get',
    path: '/deep',
    middleware: [access] as const,
    tags: ['health'],
    summary: 'Deep health: every dependency with its state and latency (admin or METRICS_TOKEN)',
    description:
      'Each check runs in parallel under a 1.5 s deadline. 200 when every required one is fine; ' +
      '503 naming the failing ones in `failing`. Callers: an admin (session, PAT, JWT) or the ' +
      '`METRICS_TOKEN` as a Bearer token.',
    responses: {
      200: {
        description: 'All required dependencies fine',
        content: { 'application/json': { schema: report } },
      },
      503: {
        description: 'A required dependency failed',
        content: { 'application/json': { schema: report } },
      },
      ...errorResponses(401, 403),
    },
  });

export interface DeepHealthRouteDeps extends RouteDeps {
  database: DatabaseHandle;
  store: SharedStore;
  clock: Clock;
}

/**
 * The scraper's METRICS_TOKEN (compared in constant time, as /metrics does), else an admin
 * credential. Mounted ahead of the app's own authentication, so the metrics token is never
 * looked up as a user credential (which would need the database this route reports on).
 */
function metricsTokenOrAdmin({ services, config }: RouteDeps): MiddlewareHandler<AppEnv> {
  const admin = every(
    authenticate(
      services.auth.authenticator,
      config.session.cookieName,
      services.observability.metrics,
    ),
    enforceTokenScopes(),
    requireAuth,
    requireRole('admin'),
  );
  return async (c, next) => {
    const token = config.metrics.token;
    const presented = bearerToken(c.req.header('authorization') ?? '');
    if (token && presented && constantTimeEqual(presented, token)) return next();
    return admin(c, next);
  };
}

/** GET /api/public/v1/healthz/deep. */
export function deepHealthRoutes(deps: DeepHealthRouteDeps) {
  const { services, config, database, store, clock } = deps;
  const { codegen, tokens } = services;
  const kuberag = {
    health: () => codegen.jobs.kuberagHealth(),
    breaker: () => codegen.jobs.kuberagBreaker(),
  };
  return router().openapi(deepRoute(metricsTokenOrAdmin(deps)), async (c) => {
    const found = await deepHealth({
      config,
      database,
      store,
      kuberag,
      signingKeys: tokens.signingKeys,
      clock,
    });
    const body = {
      ...found,
      version: packageJson.version,
      timestamp: new Date().toISOString(),
    } as z.infer<typeof report>;
    c.header('Cache-Control', 'no-store');
    return found.status === 'ok' ? c.json(body, 200) : c.json(body, 503);
  });
}
