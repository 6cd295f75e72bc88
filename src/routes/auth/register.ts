import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { requestMeta } from '../../http/request-meta';
import { setSessionCookie } from '../../http/session-cookie';
import { jsonBody } from '../../http/validation';
import { publicUser } from '../../services/auth/types';
import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { registerBody, sessionResponse } from './schemas';

const route = createRoute({
  method: 'post',
  path: '/register',
  tags: ['auth'],
  summary: 'Create an account with email and password',
  description:
    'The first account on a server becomes admin. Closed with ALLOW_REGISTRATION=false (except the first account).',
  request: { body: jsonBody(registerBody) },
  responses: {
    201: {
      description: 'Account created and signed in',
      content: { 'application/json': { schema: sessionResponse } },
    },
    ...errorResponses(403, 409),
  },
});

export function registerRoute({ services, config }: RouteDeps) {
  return router().openapi(route, async (c) => {
    const result = await services.auth.accounts.register(c.req.valid('json'), requestMeta(c));
    setSessionCookie(c, config, result.token);
    return c.json({ user: publicUser(result.user), sessionId: result.sessionId }, 201);
  });
}
