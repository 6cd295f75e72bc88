import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, idParam, ok } from '../../http/respond';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const identitySchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    providerName: z.string(),
    email: z.string().nullable(),
    emailVerified: z.boolean(),
    username: z.string().nullable(),
    createdAt: z.string(),
    lastLoginAt: z.string().nullable(),
    removable: z.boolean(),
  })
  .openapi('Identity');

const list = createRoute({
  method: 'get',
  path: '/identities',
  tags: ['auth'],
  summary: 'Sign-in identities linked to your account',
  description: 'Link another one by visiting /oauth/{provider}?link=true while signed in.',
  middleware: [requireAuth] as const,
  responses: {
    200: {
      description: 'Identities',
      content: { 'application/json': { schema: envelope(z.array(identitySchema)) } },
    },
    ...errorResponses(401),
  },
});

const unlink = createRoute({
  method: 'delete',
  path: '/identities/{id}',
  tags: ['auth'],
  summary: 'Unlink one of your identities',
  description: 'Refused with 409 when it is your last way to sign in.',
  middleware: [requireAuth] as const,
  request: { params: idParam },
  responses: {
    200: {
      description: 'Unlinked',
      content: { 'application/json': { schema: envelope(z.object({ removed: z.number() })) } },
    },
    ...errorResponses(401, 404, 409),
  },
});

export function identityRoutes({ services }: RouteDeps) {
  return router()
    .openapi(list, async (c) => ok(c, await services.oauth.identities.list(authOf(c).user.id)))
    .openapi(unlink, async (c) => {
      const id = c.req.valid('param').id;
      await services.oauth.identities.unlink(authOf(c).user.id, id, requestMeta(c));
      return ok(c, { removed: 1 });
    });
}
