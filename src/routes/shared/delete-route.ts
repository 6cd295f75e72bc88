import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { requireAuth } from '../../http/middleware/auth';
import { envelope, idParam } from '../../http/respond';
import { deletedBody } from './tenancy-schemas';

/** `DELETE /{id}` for a serial-id tenancy resource: the shape organizations, teams and projects share. */
export function deleteByIdRoute(tags: string[], summary: string) {
  return createRoute({
    method: 'delete',
    path: '/{id}',
    tags,
    summary,
    middleware: [requireAuth] as const,
    request: { params: idParam },
    responses: {
      200: {
        description: 'Deleted',
        content: { 'application/json': { schema: envelope(deletedBody) } },
      },
      ...errorResponses(401, 403, 404),
    },
  });
}
