import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import { PASSWORD_MAX_LENGTH } from '../../services/auth/credentials';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const password = z
  .string()
  .min(1)
  .max(PASSWORD_MAX_LENGTH * 4);

const route = createRoute({
  method: 'post',
  path: '/password',
  tags: ['auth'],
  summary: 'Change your password',
  description:
    'Needs the current password, and `mfaCode` when two-factor authentication is on (401 `MFA_REQUIRED` without it); wrong guesses count against the login limits. Ends every other session, every CLI login (refresh families) and every access JWT issued so far; the session making the change stays signed in. Personal access tokens are kept.',
  middleware: [requireAuth] as const,
  request: {
    body: jsonBody(
      z
        .object({
          currentPassword: password,
          newPassword: password,
          mfaCode: z.string().trim().min(1).max(64).optional(),
        })
        .strict(),
    ),
  },
  responses: {
    200: {
      description: 'Changed',
      content: {
        'application/json': { schema: envelope(z.object({ revokedSessions: z.number() })) },
      },
    },
    ...errorResponses(401, 409, 429),
  },
});

export function passwordRoute({ services }: RouteDeps) {
  return router().openapi(route, async (c) => {
    const auth = authOf(c);
    const keep = auth.kind === 'session' ? auth.sessionId : undefined;
    const result = await services.auth.accounts.changePassword(
      auth.user,
      keep,
      c.req.valid('json'),
      requestMeta(c),
    );
    return ok(c, result);
  });
}
