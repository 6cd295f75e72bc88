import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import { publicToken } from '../../services/tokens/pat-service';
import { TOKEN_SCOPES } from '../../services/tokens/scopes';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const tokenSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    prefix: z.string().openapi({ example: 'kgm_a1B2' }),
    scopes: z.array(z.string()).openapi({ example: ['read', 'write'] }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .openapi('PersonalAccessToken');

const createTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: 'ci-deploy' }),
    scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(3).optional(),
    /** Absolute expiry; or expiresInDays. Neither: the token does not expire. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict()
  .refine((b) => !(b.expiresAt && b.expiresInDays), {
    message: 'Give expiresAt or expiresInDays, not both',
    path: ['expiresAt'],
  });

const listRoute = createRoute({
  method: 'get',
  path: '/tokens',
  tags: ['tokens'],
  summary: 'Your personal access tokens (never their secrets)',
  middleware: [requireAuth] as const,
  responses: {
    200: {
      description: 'Live tokens, newest first',
      content: { 'application/json': { schema: envelope(z.array(tokenSchema)) } },
    },
    ...errorResponses(401),
  },
});

const createRouteDef = createRoute({
  method: 'post',
  path: '/tokens',
  tags: ['tokens'],
  summary: 'Create a personal access token; the secret is in this response only',
  description:
    'Scopes: read, write, admin (admin only for admins). A token cannot create one stronger than itself.',
  middleware: [requireAuth] as const,
  request: { body: jsonBody(createTokenBody) },
  responses: {
    201: {
      description: 'Created',
      content: {
        'application/json': {
          schema: envelope(tokenSchema.extend({ token: z.string() })),
        },
      },
    },
    ...errorResponses(400, 401, 403),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/tokens/{id}',
  tags: ['tokens'],
  summary: 'Revoke one of your tokens (every instance within a second)',
  middleware: [requireAuth] as const,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: {
    200: {
      description: 'Revoked',
      content: { 'application/json': { schema: envelope(z.object({ id: z.string() })) } },
    },
    ...errorResponses(401, 404),
  },
});

export function tokenRoutes({ services }: RouteDeps) {
  const pats = services.tokens.pats;
  return router()
    .openapi(listRoute, async (c) => {
      const rows = await pats.list(authOf(c).user.id);
      return ok(c, rows.map(publicToken));
    })
    .openapi(createRouteDef, async (c) => {
      const auth = authOf(c);
      const body = c.req.valid('json');
      const expiresAt = body.expiresAt
        ? new Date(body.expiresAt)
        : body.expiresInDays
          ? new Date(Date.now() + body.expiresInDays * 86_400_000)
          : undefined;
      const { token, row } = await pats.create(
        auth.user,
        auth.scopes,
        { name: body.name, scopes: body.scopes, expiresAt },
        requestMeta(c),
      );
      c.header('Cache-Control', 'no-store');
      return ok(c, { ...publicToken(row), token }, 201);
    })
    .openapi(deleteRoute, async (c) => {
      const { id } = c.req.valid('param');
      await pats.revoke(authOf(c).user.id, id, requestMeta(c));
      return ok(c, { id });
    });
}
