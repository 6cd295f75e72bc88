import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { messageBody } from '../../http/respond';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const route = createRoute({
  method: 'post',
  path: '/cli-logout',
  tags: ['tokens'],
  summary: 'Revoke the credential this request presents',
  description:
    'A personal access token is revoked; an access JWT revokes its refresh family (and so itself); a session token ends the session.',
  middleware: [requireAuth] as const,
  responses: {
    200: { description: 'Revoked', content: { 'application/json': { schema: messageBody } } },
    ...errorResponses(401),
  },
});

export function cliLogoutRoute({ services }: RouteDeps) {
  return router().openapi(route, async (c) => {
    await services.auth.signOut.end(authOf(c), requestMeta(c), 'auth.cli_logout');
    return c.json({ message: 'Logged out' }, 200);
  });
}
