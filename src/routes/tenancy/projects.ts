import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, optionalAuth, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, idParam, ok, okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import { jsonBody } from '../auth/schemas';
import { type RouteDeps, router } from '../deps';
import { deleteByIdRoute } from './delete-route';
import {
  name,
  projectRecord,
  projectSummary,
  serialId,
  serialIdQuery,
  slug,
  sortOf,
  uuid,
} from './schemas';

const tags = ['projects'];
const one = { 'application/json': { schema: envelope(projectRecord) } };
const visibility = z.enum(['private', 'public']);
/** Shape is checked by the service (unique node ids, edges between nodes, size limits). */
const graphInput = z
  .unknown()
  .openapi({ type: 'object', description: '{nodes: [{id}], edges: [{source, target}]}' });

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'List projects (anonymous: public ones; signed in: public + your teams)',
  middleware: [optionalAuth] as const,
  request: {
    query: z.object({
      ...pageQuery,
      sort: sortOf(['name', 'slug', 'createdAt']),
      companyId: uuid.optional(),
      organizationId: serialIdQuery.optional(),
      teamId: serialIdQuery.optional(),
      visibility: visibility.optional(),
      name: z.string().max(200).optional(),
    }),
  },
  responses: {
    200: {
      description: 'Projects (without graphs)',
      content: { 'application/json': { schema: pagedEnvelope(projectSummary) } },
    },
    ...errorResponses(),
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'Get a project with its graph (team members; anyone for public projects)',
  middleware: [optionalAuth] as const,
  request: { params: idParam },
  responses: { 200: { description: 'Project', content: one }, ...errorResponses(404) },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create a project in a team you belong to',
  middleware: [requireAuth] as const,
  request: {
    body: jsonBody(
      z.strictObject({
        teamId: serialId,
        name,
        slug: slug.optional(),
        description: z.string().max(2000).nullable().optional(),
        visibility: visibility.optional(),
        graph: graphInput.optional(),
      }),
    ),
  },
  responses: {
    201: { description: 'Created', content: one },
    ...errorResponses(401, 403, 404, 409),
  },
});

const patchBody = z.strictObject({
  name: name.optional(),
  slug: slug.optional(),
  description: z.string().max(2000).nullable().optional(),
  visibility: visibility.optional(),
  graph: graphInput.optional(),
});
const updateRoute = (method: 'patch' | 'put') =>
  createRoute({
    method,
    path: '/{id}',
    tags,
    summary: 'Update a project (team members)',
    middleware: [requireAuth] as const,
    request: { params: idParam, body: jsonBody(patchBody) },
    responses: {
      200: { description: 'Updated', content: one },
      ...errorResponses(401, 403, 404, 409),
    },
  });

const remove = deleteByIdRoute(
  tags,
  'Delete a project (its creator, a team maintainer, or an owner/admin above)',
);

/** Mounted at /api/public/v1/projects. */
export function projectRoutes({ services }: RouteDeps) {
  const tenancy = services.tenancy.directory;
  const app = router()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { data, total } = await tenancy.listProjects(c.get('auth')?.user ?? null, query);
      return okPage(c, data, query, total);
    })
    .openapi(get, async (c) =>
      ok(c, await tenancy.getProject(c.get('auth')?.user ?? null, Number(c.req.valid('param').id))),
    )
    .openapi(create, async (c) =>
      ok(c, await tenancy.createProject(authOf(c).user, c.req.valid('json'), requestMeta(c)), 201),
    )
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      await tenancy.deleteProject(authOf(c).user, Number(id), requestMeta(c));
      return ok(c, { id });
    });
  for (const method of ['patch', 'put'] as const) {
    app.openapi(updateRoute(method), async (c) => {
      const id = Number(c.req.valid('param').id);
      return ok(
        c,
        await tenancy.updateProject(authOf(c).user, id, c.req.valid('json'), requestMeta(c)),
      );
    });
  }
  return app;
}
