import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, idParam, ok, okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import { jsonBody } from '../auth/schemas';
import { type RouteDeps, router } from '../deps';
import { deleteByIdRoute } from './delete-route';
import { memberRoutes } from './members';
import { name, serialId, serialIdQuery, slug, sortOf, teamRecord, uuid } from './schemas';

const tags = ['teams'];
const one = { 'application/json': { schema: envelope(teamRecord) } };

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'List teams you can read (a parent you cannot see is a 404)',
  middleware: [requireAuth] as const,
  request: {
    query: z.object({
      ...pageQuery,
      sort: sortOf(['name', 'slug', 'createdAt']),
      companyId: uuid.optional(),
      organizationId: serialIdQuery.optional(),
      name: z.string().max(200).optional(),
      slug: z.string().max(63).optional(),
    }),
  },
  responses: {
    200: {
      description: 'Teams',
      content: { 'application/json': { schema: pagedEnvelope(teamRecord) } },
    },
    ...errorResponses(401, 404),
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'Get a team',
  middleware: [requireAuth] as const,
  request: { params: idParam },
  responses: { 200: { description: 'Team', content: one }, ...errorResponses(401, 404) },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create a team (organization or company owner/admin)',
  middleware: [requireAuth] as const,
  request: {
    body: jsonBody(z.strictObject({ organizationId: serialId, name, slug: slug.optional() })),
  },
  responses: {
    201: { description: 'Created', content: one },
    ...errorResponses(401, 403, 404, 409),
  },
});

const patchBody = z.strictObject({ name: name.optional(), slug: slug.optional() });
const updateRoute = (method: 'patch' | 'put') =>
  createRoute({
    method,
    path: '/{id}',
    tags,
    summary: 'Update a team',
    middleware: [requireAuth] as const,
    request: { params: idParam, body: jsonBody(patchBody) },
    responses: {
      200: { description: 'Updated', content: one },
      ...errorResponses(401, 403, 404, 409),
    },
  });

const remove = deleteByIdRoute(tags, 'Delete a team with its projects');

/** Mounted at /api/public/v1/teams. */
export function teamRoutes(deps: RouteDeps) {
  const tenancy = deps.services.tenancy.directory;
  const app = router()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { data, total } = await tenancy.listTeams(authOf(c).user, query);
      return okPage(c, data, query, total);
    })
    .openapi(get, async (c) =>
      ok(c, await tenancy.getTeam(authOf(c).user, Number(c.req.valid('param').id))),
    )
    .openapi(create, async (c) =>
      ok(c, await tenancy.createTeam(authOf(c).user, c.req.valid('json'), requestMeta(c)), 201),
    )
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      await tenancy.deleteTeam(authOf(c).user, Number(id), requestMeta(c));
      return ok(c, { id });
    });
  for (const method of ['patch', 'put'] as const) {
    app.openapi(updateRoute(method), async (c) => {
      const id = Number(c.req.valid('param').id);
      return ok(
        c,
        await tenancy.updateTeam(authOf(c).user, id, c.req.valid('json'), requestMeta(c)),
      );
    });
  }
  return app.route('/', memberRoutes(deps, 'team'));
}
