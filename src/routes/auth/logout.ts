import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { messageBody } from '../../http/respond';
import { clearSessionCookie } from '../../http/session-cookie';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const route = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['auth'],
  summary: 'Revoke the credential this request presents and clear the cookie',
  description:
    'A session ends; a personal access token is revoked; an access JWT revokes its refresh family (and so itself).',
  middleware: [requireAuth] as const,
  responses: {
    200: { description: 'Signed out', content: { 'application/json': { schema: messageBody } } },
    ...errorResponses(401),
  },
});

export function logoutRoute({ services, config }: RouteDeps) {
  return router().openapi(route, async (c) => {
    await services.auth.signOut.end(authOf(c), requestMeta(c), 'auth.logout');
    clearSessionCookie(c, config);
    return c.json({ message: 'Logged out' }, 200);
  });
}
