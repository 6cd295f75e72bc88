import { createRoute, z } from '@hono/zod-openapi';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const provider = z
  .object({
    id: z.string().openapi({ example: 'okta' }),
    name: z.string().openapi({ example: 'Okta' }),
    type: z.string().openapi({ example: 'okta' }),
    loginUrl: z.string().openapi({ example: '/oauth/okta' }),
  })
  .openapi('AuthProvider');

const route = createRoute({
  method: 'get',
  path: '/providers',
  tags: ['auth'],
  summary: 'Ways to sign in on this server',
  description:
    'Every enabled sign-in provider (environment- and admin-configured) plus email and password.',
  responses: {
    200: {
      description: 'Enabled providers',
      content: { 'application/json': { schema: z.object({ providers: z.array(provider) }) } },
    },
  },
});

export function providersRoute({ services }: RouteDeps) {
  return router().openapi(route, async (c) => {
    const enabled = await services.oauth.providers.enabled();
    const providers = [
      ...enabled.map((p) => ({
        id: p.id,
        name: p.displayName,
        type: p.type,
        loginUrl: `/oauth/${p.id}`,
      })),
      // Email + password is always on for sign-in; registration may be closed separately.
      {
        id: 'password',
        name: 'Email and password',
        type: 'password',
        loginUrl: '/api/public/v1/auth/login',
      },
    ];
    c.header('Cache-Control', 'no-store');
    return c.json({ providers }, 200);
  });
}
