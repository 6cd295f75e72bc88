import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const renewed = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('pat'),
      id: z.string(),
      token: z.string().openapi({ description: 'The new personal access token, shown once' }),
      expiresAt: z.string().nullable(),
    }),
    z.object({
      kind: z.literal('oauth'),
      accessToken: z.string(),
      refreshToken: z.string(),
      accessTokenExpiresIn: z.number().openapi({ description: 'Seconds' }),
      expiresAt: z.string().openapi({ description: 'When the new login ends' }),
    }),
  ])
  .openapi('RenewedCredential');

const route = createRoute({
  method: 'post',
  path: '/tokens/rotate',
  tags: ['tokens'],
  summary: 'Renew the credential this request presents (the CLI does before it expires)',
  description:
    'A personal access token gets a successor with the same name, scopes and lifetime; a device ' +
    "login's access token gets a new login (access + refresh token, CLI_TOKEN_TTL). The old " +
    'credential is revoked on every instance at once. A browser session answers 409.',
  middleware: [requireAuth] as const,
  responses: {
    200: {
      description: 'The new credential',
      content: { 'application/json': { schema: envelope(renewed) } },
    },
    ...errorResponses(401, 404, 409),
  },
});

export function rotateRoute({ services }: RouteDeps) {
  return router().openapi(route, async (c) => {
    const credential = await services.tokens.cliLogins.renew(authOf(c), requestMeta(c));
    c.header('Cache-Control', 'no-store');
    return ok(c, credential);
  });
}
