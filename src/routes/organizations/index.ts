import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { envelope, ok } from '../../http/respond';
import { isSerialId } from '../../lib/serial-id';
import type { RouteDeps } from '../deps';
import { memberRoutes } from '../shared/members';
import { resourceRoutes } from '../shared/resource-routes';
import { name, organizationRecord, slug, sortOf, uuid } from '../shared/tenancy-schemas';

/** By id, or (as the earlier product API had it) by slug within the caller's companies. */
const getByRef = createRoute({
  method: 'get',
  path: '/{ref}',
  tags: ['organizations'],
  summary: 'Get an organization by id, or by slug within your companies',
  middleware: [requireAuth] as const,
  request: {
    params: z.object({ ref: z.string().max(63).openapi({ example: 'engineering' }) }),
    query: z.object({ companyId: uuid.optional() }),
  },
  responses: {
    200: {
      description: 'Organization',
      content: { 'application/json': { schema: envelope(organizationRecord) } },
    },
    ...errorResponses(401, 404),
  },
});

/** Mounted at /api/public/v1/organizations: the organizations and their members. */
export function organizationRoutes(deps: RouteDeps) {
  const tenancy = deps.services.tenancy.directory;
  return resourceRoutes({
    tag: 'organizations',
    noun: 'Organization',
    record: organizationRecord,
    listItem: { schema: organizationRecord, description: 'Organizations' },
    summaries: {
      list: 'List organizations you can read',
      create: 'Create an organization (company owner/admin)',
      update: 'Update an organization',
      delete: 'Delete an organization with its teams and projects (company owner/admin)',
    },
    filters: {
      sort: sortOf(['name', 'slug', 'createdAt']),
      companyId: uuid.optional(),
      name: z.string().max(200).optional(),
      slug: z.string().max(63).optional(),
    },
    createBody: z.strictObject({ companyId: uuid, name, slug: slug.optional() }),
    patchBody: z.strictObject({ name: name.optional(), slug: slug.optional() }),
    list: (c, query) => tenancy.listOrganizations(authOf(c).user, query),
    create: (actor, body, meta) => tenancy.createOrganization(actor, body, meta),
    update: (actor, id, patch, meta) => tenancy.updateOrganization(actor, id, patch, meta),
    remove: (actor, id, meta) => tenancy.deleteOrganization(actor, id, meta),
  })
    .openapi(getByRef, async (c) => {
      const { ref } = c.req.valid('param');
      const { companyId } = c.req.valid('query');
      const actor = authOf(c).user;
      const org = isSerialId(ref)
        ? await tenancy.getOrganization(actor, Number(ref))
        : await tenancy.getOrganizationBySlug(actor, ref, companyId);
      return ok(c, org);
    })
    .route('/', memberRoutes(deps, 'organization'));
}
