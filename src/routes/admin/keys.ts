import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireRole } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const keySchema = z.object({
  kid: z.string(),
  alg: z.string(),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
  published: z.boolean(),
});

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['admin'],
  summary: 'Signing keys of access tokens (public facts only)',
  middleware: [requireRole('admin')] as const,
  responses: {
    200: {
      description: 'Keys',
      content: { 'application/json': { schema: envelope(z.array(keySchema)) } },
    },
    ...errorResponses(401, 403),
  },
});

const rotateRoute = createRoute({
  method: 'post',
  path: '/rotate',
  tags: ['admin'],
  summary: 'Start signing with a new key; the old one stays in JWKS until its tokens expired',
  middleware: [requireRole('admin')] as const,
  responses: {
    201: {
      description: 'Rotated',
      content: {
        'application/json': {
          schema: envelope(
            z.object({ kid: z.string(), alg: z.string(), retired: z.array(z.string()) }),
          ),
        },
      },
    },
    ...errorResponses(401, 403),
  },
});

/** `/keys` of /api/v1/admin: the access-token signing keys. */
export function signingKeyRoutes({ services }: RouteDeps) {
  return router()
    .openapi(listRoute, async (c) => ok(c, await services.tokens.signingKeys.listKeys()))
    .openapi(rotateRoute, async (c) => {
      const result = await services.tokens.signingKeys.rotate(authOf(c).user.id, requestMeta(c));
      return ok(c, result, 201);
    });
}
