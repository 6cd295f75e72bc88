import { z } from '@hono/zod-openapi';
import type { Server, ServerWebSocket } from 'bun';
import type { Context } from 'hono';
import { upgradeWebSocket } from 'hono/bun';
import type { AppEnv } from '../../http/app-env';
import { errorResponse, errorResponses } from '../../http/errors';
import { NotFoundError } from '../../lib/errors';
import { isAllowedOrigin } from '../../lib/origins';
import type { AuthUser } from '../../services/auth/types';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

/**
 * WS /codegen/{jobId}/subscribe: live status of one job (frames documented in README
 * "Code generation"). Credentials: the session cookie from an allowed Origin, a Bearer header,
 * or a single-use ticket (?ticket=) from POST /codegen/{jobId}/ticket. Any foreign Origin is
 * refused before the upgrade; a job the caller may not see is closed with 4404 before any data.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function subscribeRoute({ services, config }: RouteDeps) {
  const resolveCaller = async (c: Context<AppEnv>, jobId: string) => {
    const ticket = c.req.query('ticket');
    if (ticket !== undefined) {
      const claims = await services.codegen.jobs.redeemTicket(ticket);
      return claims && claims.jobId === jobId ? claims.user : undefined;
    }
    return c.get('auth')?.user;
  };

  const app = router();
  // Documentation only: the handler below is a plain GET because it answers with an upgrade.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/codegen/{jobId}/subscribe',
    tags: ['graph'],
    summary: 'WebSocket: live status of a job',
    description:
      'Upgrade to a WebSocket. Credentials: session cookie (allowed Origin required), Bearer ' +
      'header, or `?ticket=` from POST /codegen/{jobId}/ticket. Frames: ' +
      '`{"type":"status","jobId","status","progress","step","updatedAt"}`; the current state ' +
      'first, then each change; closed with 1000 after a terminal state, 4404 for a job you ' +
      'may not see. Ping every WS_PING_INTERVAL_MS.',
    request: {
      params: z.object({ jobId: z.string().openapi({ param: { name: 'jobId', in: 'path' } }) }),
      query: z.object({ ticket: z.string().optional() }),
    },
    responses: {
      101: { description: 'Switching protocols' },
      ...errorResponses(401, 403, 426),
    },
  });
  return app.get('/codegen/:jobId/subscribe', async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      return errorResponse(c, 'VALIDATION_FAILED', 'Expected a WebSocket upgrade', undefined, 426);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && (origin === 'null' || !isAllowedOrigin(origin, config))) {
      return errorResponse(c, 'FORBIDDEN', 'Cross-site WebSocket refused');
    }
    // Browsers always send Origin on WebSockets; a cookie without one is not from our pages.
    if (c.get('auth')?.via === 'cookie' && origin === undefined && !c.req.query('ticket')) {
      return errorResponse(c, 'FORBIDDEN', 'Cross-site WebSocket refused: missing Origin');
    }
    const jobId = c.req.param('jobId');
    const user: AuthUser | undefined = await resolveCaller(c, jobId);
    if (!user) return errorResponse(c, 'UNAUTHENTICATED', 'Authentication required');

    let visible = UUID.test(jobId);
    if (visible) {
      try {
        await services.codegen.jobs.visibleJob(user, jobId);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        visible = false;
      }
    }
    const server = c.env.server as Server<unknown>;
    let detach: (() => void) | undefined;
    return upgradeWebSocket(c, {
      onOpen(_event, ws) {
        if (!visible) {
          ws.close(4404, 'Job not found');
          return;
        }
        const raw = ws.raw as ServerWebSocket<unknown>;
        detach = services.codegen.hub.attach(jobId, {
          send: (text) => raw.send(text),
          close: (code, reason) => raw.close(code, reason),
          ping: () => raw.ping(),
          join: (topic) => raw.subscribe(topic),
          publish: (topic, text) => server.publish(topic, text),
        });
      },
      onClose() {
        detach?.();
        detach = undefined;
      },
    });
  });
}
