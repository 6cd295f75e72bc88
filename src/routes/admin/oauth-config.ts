import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth, requireRole } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { createProviderBody, providerView } from './oauth-config-schemas';

const list = createRoute({
  method: 'get',
  path: '/oauth-config',
  tags: ['admin'],
  summary: 'Sign-in providers (admin)',
  description: 'Environment-configured providers are listed read-only. Secrets are masked.',
  middleware: [requireAuth, requireRole('admin')] as const,
  responses: {
    200: {
      description: 'Providers',
      content: { 'application/json': { schema: envelope(z.array(providerView)) } },
    },
    ...errorResponses(401, 403),
  },
});

const create = createRoute({
  method: 'post',
  path: '/oauth-config',
  tags: ['admin'],
  summary: 'Add a sign-in provider (admin)',
  description:
    'Takes effect at once on every instance. OIDC issuers must be https (http only for loopback).',
  middleware: [requireAuth, requireRole('admin')] as const,
  request: { body: jsonBody(createProviderBody) },
  responses: {
    201: {
      description: 'Created',
      content: { 'application/json': { schema: envelope(providerView) } },
    },
    ...errorResponses(401, 403, 409),
  },
});

export function oauthConfigListRoutes({ services }: RouteDeps) {
  return router()
    .openapi(list, async (c) => ok(c, await services.oauth.config.list()))
    .openapi(create, async (c) => {
      const view = await services.oauth.config.create(
        c.req.valid('json'),
        authOf(c).user.id,
        requestMeta(c),
      );
      return ok(c, view, 201);
    });
}
