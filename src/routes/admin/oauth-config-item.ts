import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth, requireRole } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { providerIdParam, providerView, updateProviderBody } from './oauth-config-schemas';

const getOne = createRoute({
  method: 'get',
  path: '/oauth-config/{id}',
  tags: ['admin'],
  summary: 'One sign-in provider (admin)',
  middleware: [requireAuth, requireRole('admin')] as const,
  request: { params: providerIdParam },
  responses: {
    200: {
      description: 'Provider',
      content: { 'application/json': { schema: envelope(providerView) } },
    },
    ...errorResponses(401, 403, 404),
  },
});

const update = createRoute({
  method: 'put',
  path: '/oauth-config/{id}',
  tags: ['admin'],
  summary: 'Change a sign-in provider (admin)',
  description:
    'Omitted fields keep their value (send clientSecret only to replace it). Environment providers are read-only (403).',
  middleware: [requireAuth, requireRole('admin')] as const,
  request: { params: providerIdParam, body: jsonBody(updateProviderBody) },
  responses: {
    200: {
      description: 'Updated',
      content: { 'application/json': { schema: envelope(providerView) } },
    },
    ...errorResponses(401, 403, 404),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/oauth-config/{id}',
  tags: ['admin'],
  summary: 'Remove a sign-in provider (admin)',
  description: 'Linked identities are kept, so re-adding the provider restores them.',
  middleware: [requireAuth, requireRole('admin')] as const,
  request: { params: providerIdParam },
  responses: {
    200: {
      description: 'Removed',
      content: { 'application/json': { schema: envelope(z.object({ deleted: z.string() })) } },
    },
    ...errorResponses(401, 403, 404),
  },
});

export function oauthConfigItemRoutes({ services }: RouteDeps) {
  return router()
    .openapi(getOne, async (c) => ok(c, await services.oauth.config.get(c.req.valid('param').id)))
    .openapi(update, async (c) => {
      const view = await services.oauth.config.update(
        c.req.valid('param').id,
        c.req.valid('json'),
        authOf(c).user.id,
        requestMeta(c),
      );
      return ok(c, view);
    })
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      await services.oauth.config.remove(id, authOf(c).user.id, requestMeta(c));
      return ok(c, { deleted: id });
    });
}
