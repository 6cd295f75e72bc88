import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth, requireRole } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const count = z.object({ rotated: z.number(), unreadable: z.number() });

const route = createRoute({
  method: 'post',
  path: '/encryption/rotate',
  tags: ['admin'],
  summary: 'Re-encrypt stored secrets with the active key (admin)',
  description:
    'Run after setting a new GLOBAL_ENCRYPTION_KEY with the old one in GLOBAL_ENCRYPTION_KEY_PREVIOUS; then the old key can be dropped.',
  middleware: [requireAuth, requireRole('admin')] as const,
  responses: {
    200: {
      description: 'Counts per kind of secret',
      content: {
        'application/json': {
          schema: envelope(z.object({ keyId: z.string(), result: z.record(z.string(), count) })),
        },
      },
    },
    ...errorResponses(401, 403),
  },
});

export function encryptionRoutes({ services }: RouteDeps) {
  return router().openapi(route, async (c) => {
    const result = await services.encryption.rotation.rotate({
      userId: authOf(c).user.id,
      meta: requestMeta(c),
    });
    await services.oauth.providers.changed();
    return ok(c, { keyId: services.encryption.encryptor.activeKeyId, result });
  });
}
