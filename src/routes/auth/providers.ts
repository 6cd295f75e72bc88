import { createRoute, z } from '@hono/zod-openapi';
import { router } from '../deps';

const provider = z
  .object({ id: z.string(), name: z.string(), type: z.string(), loginUrl: z.string() })
  .openapi('AuthProvider');

const route = createRoute({
  method: 'get',
  path: '/providers',
  tags: ['auth'],
  summary: 'Ways to sign in on this server',
  responses: {
    200: {
      description: 'Enabled providers',
      content: { 'application/json': { schema: z.object({ providers: z.array(provider) }) } },
    },
  },
});

export function providersRoute() {
  return router().openapi(route, (c) => {
    // Email + password is always on for sign-in; registration may be closed separately.
    const providers = [
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
