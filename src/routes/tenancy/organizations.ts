import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, idParam, ok, okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import { jsonBody } from '../auth/schemas';
import { type RouteDeps, router } from '../deps';
import { deleteByIdRoute } from './delete-route';
import { memberRoutes } from './members';
import { name, organizationRecord, slug, sortOf, uuid } from './schemas';

const tags = ['organizations'];
const one = { 'application/json': { schema: envelope(organizationRecord) } };

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'List organizations you can read',
  middleware: [requireAuth] as const,
  request: {
    query: z.object({
      ...pageQuery,
      sort: sortOf(['name', 'slug', 'createdAt']),
      companyId: uuid.optional(),
      name: z.string().max(200).optional(),
      slug: z.string().max(63).optional(),
    }),
  },
  responses: {
    200: {
      description: 'Organizations',
      content: { 'application/json': { schema: pagedEnvelope(organizationRecord) } },
    },
    ...errorResponses(401, 404),
  },
});

const get = createRoute({
  method: 'get',
  path: '/{ref}',
  tags,
  summary: 'Get an organization by id, or by slug within your companies',
  middleware: [requireAuth] as const,
  request: {
    params: z.object({ ref: z.string().max(63).openapi({ example: 'engineering' }) }),
    query: z.object({ companyId: uuid.optional() }),
  },
  responses: { 200: { description: 'Organization', content: one }, ...errorResponses(401, 404) },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create an organization (company owner/admin)',
  middleware: [requireAuth] as const,
  request: { body: jsonBody(z.strictObject({ companyId: uuid, name, slug: slug.optional() })) },
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
    summary: 'Update an organization',
    middleware: [requireAuth] as const,
    request: { params: idParam, body: jsonBody(patchBody) },
    responses: {
      200: { description: 'Updated', content: one },
      ...errorResponses(401, 403, 404, 409),
    },
  });

const remove = deleteByIdRoute(
  tags,
  'Delete an organization with its teams and projects (company owner/admin)',
);

const NUMERIC = /^[1-9][0-9]{0,9}$/;

/** Mounted at /api/public/v1/organizations. */
export function organizationRoutes(deps: RouteDeps) {
  const tenancy = deps.services.tenancy.directory;
  const app = router()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { data, total } = await tenancy.listOrganizations(authOf(c).user, query);
      return okPage(c, data, query, total);
    })
    .openapi(get, async (c) => {
      const { ref } = c.req.valid('param');
      const { companyId } = c.req.valid('query');
      const actor = authOf(c).user;
      const org =
        NUMERIC.test(ref) && Number(ref) <= 2_147_483_647
          ? await tenancy.getOrganization(actor, Number(ref))
          : await tenancy.getOrganizationBySlug(actor, ref, companyId);
      return ok(c, org);
    })
    .openapi(create, async (c) =>
      ok(
        c,
        await tenancy.createOrganization(authOf(c).user, c.req.valid('json'), requestMeta(c)),
        201,
      ),
    )
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      await tenancy.deleteOrganization(authOf(c).user, Number(id), requestMeta(c));
      return ok(c, { id });
    });
  for (const method of ['patch', 'put'] as const) {
    app.openapi(updateRoute(method), async (c) => {
      const id = Number(c.req.valid('param').id);
      return ok(
        c,
        await tenancy.updateOrganization(authOf(c).user, id, c.req.valid('json'), requestMeta(c)),
      );
    });
  }
  return app.route('/', memberRoutes(deps, 'organization'));
}
