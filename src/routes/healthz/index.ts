import { createRoute, z } from '@hono/zod-openapi';
import type { SharedStore } from '../../cache/shared-store';
import type { DatabaseHandle } from '../../db/client';
import { router } from '../deps';

export interface Lifecycle {
  shuttingDown: boolean;
}

const live = createRoute({
  method: 'get',
  path: '/live',
  tags: ['health'],
  summary: 'Liveness: the process answers',
  responses: {
    200: {
      description: 'Alive',
      content: {
        'application/json': {
          schema: z.object({ status: z.literal('ok'), timestamp: z.string() }),
        },
      },
    },
  },
});

const readiness = z.object({
  status: z.enum(['ok', 'unavailable']),
  database: z.enum(['connected', 'disconnected']),
  redis: z.enum(['connected', 'disabled', 'degraded']),
  /** Informational: code generation falls back to the built-in generator without it. */
  kuberag: z.enum(['connected', 'unavailable', 'disabled']),
  timestamp: z.string(),
});

const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['health'],
  summary: 'Readiness: the database answers within 1 s and the instance is not shutting down',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: readiness } } },
    503: { description: 'Not ready', content: { 'application/json': { schema: readiness } } },
  },
});

const DB_TIMEOUT_MS = 1000;

async function databaseAnswers(database: DatabaseHandle): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), DB_TIMEOUT_MS);
  });
  const ping = database.ping().then(
    () => true,
    () => false,
  );
  const result = await Promise.race([ping, timeout]);
  clearTimeout(timer);
  return result;
}

/** Mounted at /api/public/v1/healthz. Not rate-limited: load balancers poll it. */
export function healthRoutes(
  database: DatabaseHandle,
  store: SharedStore,
  lifecycle: Lifecycle,
  kuberag: () => Promise<'connected' | 'unavailable' | 'disabled'> = async () => 'disabled',
) {
  return router()
    .openapi(live, (c) =>
      c.json({ status: 'ok' as const, timestamp: new Date().toISOString() }, 200),
    )
    .openapi(ready, async (c) => {
      // Redis is an accelerator: its loss degrades, never fails, readiness.
      const [dbUp, kuberagState] = await Promise.all([databaseAnswers(database), kuberag()]);
      const body = {
        status: dbUp && !lifecycle.shuttingDown ? ('ok' as const) : ('unavailable' as const),
        database: dbUp ? ('connected' as const) : ('disconnected' as const),
        redis: store.status(),
        kuberag: kuberagState,
        timestamp: new Date().toISOString(),
      };
      c.header('Cache-Control', 'no-store');
      return body.status === 'ok' ? c.json(body, 200) : c.json(body, 503);
    });
}
