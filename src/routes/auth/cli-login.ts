import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { requestMeta } from '../../http/request-meta';
import { jsonBody } from '../../http/validation';
import { publicUser } from '../../services/auth/types';
import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { loginBody, userSchema } from './schemas';

const route = createRoute({
  method: 'post',
  path: '/cli-login',
  tags: ['tokens'],
  summary: 'Exchange email + password for a new personal access token',
  description:
    "Same checks, rate limits, two-factor requirement (401 `MFA_REQUIRED` without `mfaCode`) and audit as the browser login; answers a new `kgm_` token (shown once) with your role's default scopes, expiring after `CLI_TOKEN_TTL` (renew it with POST /auth/tokens/rotate).",
  request: {
    body: jsonBody(loginBody.extend({ name: z.string().trim().min(1).max(100).optional() })),
  },
  responses: {
    200: {
      description: 'A new token',
      content: {
        'application/json': {
          schema: z.object({ token: z.string(), expiresAt: z.string(), user: userSchema }),
        },
      },
    },
    ...errorResponses(400, 401, 429),
  },
});

export function cliLoginRoute({ services }: RouteDeps) {
  return router().openapi(route, async (c) => {
    const body = c.req.valid('json');
    const meta = requestMeta(c);
    const user = await services.auth.accounts.verifyCredentials(body, meta);
    const issued = await services.tokens.cliLogins.issueToken(
      user,
      body.name ?? 'kubegram CLI',
      meta,
    );
    c.header('Cache-Control', 'no-store');
    return c.json({ ...issued, user: publicUser(user) }, 200);
  });
}
