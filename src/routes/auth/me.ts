import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { publicUser } from '../../services/auth/types';
import { router } from '../deps';
import { sessionResponse } from './schemas';

const route = createRoute({
  method: 'get',
  path: '/me',
  tags: ['auth'],
  summary: 'The signed-in user',
  middleware: [requireAuth] as const,
  responses: {
    200: {
      description: 'Current user',
      content: { 'application/json': { schema: sessionResponse } },
    },
    ...errorResponses(401),
  },
});

/** The hot path: answered from the in-process cache, no database, no disk. */
export function meRoute() {
  return router().openapi(route, (c) => {
    const auth = authOf(c);
    return c.json({ user: publicUser(auth.user), sessionId: auth.sessionId }, 200);
  });
}
