import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { requestMeta } from '../../http/request-meta';
import { setSessionCookie } from '../../http/session-cookie';
import { jsonBody } from '../../http/validation';
import { publicUser } from '../../services/auth/types';
import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { loginBody, sessionResponse } from './schemas';

const route = createRoute({
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Sign in with email and password',
  description:
    'Sets the session cookie; the session id comes back for display. Wrong password and unknown email give the same 401. With two-factor authentication on, a right password without `mfaCode` gives 401 `MFA_REQUIRED`.',
  request: { body: jsonBody(loginBody) },
  responses: {
    200: { description: 'Signed in', content: { 'application/json': { schema: sessionResponse } } },
    ...errorResponses(401),
  },
});

export function loginRoute({ services, config }: RouteDeps) {
  return router().openapi(route, async (c) => {
    const result = await services.auth.accounts.login(c.req.valid('json'), requestMeta(c));
    setSessionCookie(c, config, result.token);
    return c.json({ user: publicUser(result.user), sessionId: result.sessionId }, 200);
  });
}
