import { createRoute, z } from '@hono/zod-openapi';
import type { UserRow } from '../../db/schema';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth, requireRole } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, idParam, ok, okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import { publicUserRecord } from '../../services/users/user-service';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const role = z.enum(['admin', 'manager', 'team_member']);
const userRecord = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    avatar: z.string().nullable(),
    role,
    teamId: z.string().nullable(),
    disabled: z.boolean(),
    /** A company certificate's principal (see /companies/{id}/certificates). */
    serviceAccount: z.boolean(),
    /** Two-factor authentication is on (see /auth/mfa). */
    mfaEnabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('UserRecord');

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['users'],
  summary: 'List users (admin)',
  middleware: [requireAuth, requireRole('admin')] as const,
  request: {
    query: z.object({
      ...pageQuery,
      role: role.optional(),
      email: z.string().max(320).optional(),
      kind: z
        .enum(['people', 'service'])
        .optional()
        .openapi({ description: 'people (default) or service: company certificate principals' }),
      sort: z
        .enum(['id', '-id', 'email', '-email', 'name', '-name', 'createdAt', '-createdAt'])
        .optional(),
    }),
  },
  responses: {
    200: {
      description: 'Users',
      content: { 'application/json': { schema: pagedEnvelope(userRecord) } },
    },
    ...errorResponses(401, 403),
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['users'],
  summary: 'Get a user (admin, or yourself)',
  middleware: [requireAuth] as const,
  request: { params: idParam },
  responses: {
    200: { description: 'User', content: { 'application/json': { schema: envelope(userRecord) } } },
    ...errorResponses(401, 404),
  },
});

const patchBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    avatar: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .nullable(),
    role,
    disabled: z.boolean(),
  })
  .partial()
  .openapi('UserPatch');

const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['users'],
  summary: 'Update a user',
  description:
    "Yourself: name and avatar. Admin: also role and disabled. Role change and disable revoke the user's sessions at once.",
  middleware: [requireAuth] as const,
  request: { params: idParam, body: jsonBody(patchBody) },
  responses: {
    200: {
      description: 'Updated',
      content: { 'application/json': { schema: envelope(userRecord) } },
    },
    ...errorResponses(401, 403, 404, 409),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['users'],
  summary: 'Delete a user (admin; soft delete)',
  middleware: [requireAuth, requireRole('admin')] as const,
  request: { params: idParam },
  responses: {
    200: {
      description: 'Deleted',
      content: { 'application/json': { schema: envelope(z.object({ id: z.string() })) } },
    },
    ...errorResponses(401, 403, 404, 409),
  },
});

const resetMfa = createRoute({
  method: 'delete',
  path: '/{id}/mfa',
  tags: ['users'],
  summary: "Clear another user's two-factor authentication (admin)",
  description:
    'For a user who lost both their authenticator and their recovery codes; they sign in with the password alone afterwards and can enrol again. Never for yourself.',
  middleware: [requireAuth, requireRole('admin')] as const,
  request: { params: idParam },
  responses: {
    200: {
      description: 'Cleared',
      content: { 'application/json': { schema: envelope(z.object({ id: z.string() })) } },
    },
    ...errorResponses(401, 403, 404),
  },
});

/** Mounted at /api/public/v1/users. */
export function userRoutes({ services }: RouteDeps) {
  /** User records as the API shows them, with whether each has a second factor. */
  const records = async (rows: UserRow[]) => {
    const withMfa = await services.auth.mfa.enabledAmong(rows.map((r) => r.id));
    return rows.map((row) => publicUserRecord(row, withMfa.has(row.id)));
  };
  return router()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { rows, total } = await services.users.records.list(query);
      return okPage(c, await records(rows), query, total);
    })
    .openapi(get, async (c) => {
      const row = await services.users.records.get(authOf(c).user, c.req.valid('param').id);
      return ok(c, (await records([row]))[0]!);
    })
    .openapi(update, async (c) => {
      const id = c.req.valid('param').id;
      const row = await services.users.records.update(
        authOf(c).user,
        id,
        c.req.valid('json'),
        requestMeta(c),
      );
      return ok(c, (await records([row]))[0]!);
    })
    .openapi(resetMfa, async (c) => {
      const { id } = c.req.valid('param');
      await services.auth.mfa.resetByAdmin(authOf(c).user, id, requestMeta(c));
      return ok(c, { id: String(id) });
    })
    .openapi(remove, async (c) => {
      const id = c.req.valid('param').id;
      await services.users.records.remove(authOf(c).user, id, requestMeta(c));
      return ok(c, { id: String(id) });
    });
}
