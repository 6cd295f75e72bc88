import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const sessionSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['session', 'cli']).openapi({
      description: '`cli`: a device login of the CLI (revoking it ends its tokens everywhere)',
    }),
    client: z.string().nullable().openapi({ example: 'Kubegram CLI' }),
    provider: z.string(),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    expiresAt: z.string(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    current: z.boolean(),
  })
  .openapi('Session');

const list = createRoute({
  method: 'get',
  path: '/sessions',
  tags: ['auth'],
  summary: "The caller's live sessions and CLI device logins",
  middleware: [requireAuth] as const,
  responses: {
    200: {
      description: 'Sessions',
      content: { 'application/json': { schema: envelope(z.array(sessionSchema)) } },
    },
    ...errorResponses(401),
  },
});

const revokeOne = createRoute({
  method: 'delete',
  path: '/sessions/{id}',
  tags: ['auth'],
  summary: 'Revoke one of your sessions or CLI device logins',
  middleware: [requireAuth] as const,
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: {
      description: 'Revoked',
      content: { 'application/json': { schema: envelope(z.object({ revoked: z.number() })) } },
    },
    ...errorResponses(401, 404),
  },
});

const revokeOthers = createRoute({
  method: 'delete',
  path: '/sessions',
  tags: ['auth'],
  summary: 'Revoke all your other sessions (?others=true)',
  middleware: [requireAuth] as const,
  request: { query: z.object({ others: z.literal('true') }) },
  responses: {
    200: {
      description: 'Revoked',
      content: { 'application/json': { schema: envelope(z.object({ revoked: z.number() })) } },
    },
    ...errorResponses(401),
  },
});

export function sessionRoutes({ services }: RouteDeps) {
  return router()
    .openapi(list, async (c) => {
      const auth = authOf(c);
      return ok(c, await services.sessions.own.list(auth.user.id, auth.sessionId));
    })
    .openapi(revokeOne, async (c) => {
      const auth = authOf(c);
      await services.sessions.own.revoke(auth.user.id, c.req.valid('param').id, requestMeta(c));
      return ok(c, { revoked: 1 });
    })
    .openapi(revokeOthers, async (c) => {
      const auth = authOf(c);
      const revoked = await services.sessions.own.revokeOthers(
        auth.user.id,
        auth.sessionId,
        requestMeta(c),
      );
      return ok(c, { revoked });
    });
}
