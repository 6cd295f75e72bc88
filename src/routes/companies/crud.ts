import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, optionalAuth, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok, okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import { type RouteDeps, router } from '../deps';
import { companyRecord, deletedBody, name, sortOf } from '../shared/tenancy-schemas';

const tags = ['companies'];
const companyParam = z.object({ id: z.string().max(64).openapi({ example: 'uuid' }) });

const createBody = z
  .strictObject({
    name,
    stripeCustomerID: z.string().max(200).nullable().optional(),
    stripeCustomerId: z.string().max(200).nullable().optional(),
    /** Accepted only from platform admins; anyone else gets 403 naming the field. */
    tokens: z.number().int().min(0).max(2_000_000_000).optional(),
  })
  .openapi('CompanyCreate');
const patchBody = createBody.partial().openapi('CompanyPatch');

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'List companies',
  description:
    'Optional auth. Everyone sees id and name (unless PUBLIC_COMPANY_DIRECTORY=false, which limits the list to signed-in members); members also see the rest.',
  middleware: [optionalAuth] as const,
  request: {
    query: z.object({
      ...pageQuery,
      // Not `tokens`: ordering by balance would rank companies whose balance the caller cannot see.
      sort: sortOf(['name', 'createdAt']),
      name: z.string().max(200).optional(),
    }),
  },
  responses: {
    200: {
      description: 'Companies',
      content: { 'application/json': { schema: pagedEnvelope(companyRecord) } },
    },
    ...errorResponses(401),
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'Get a company (members; billing fields for owners/admins)',
  middleware: [optionalAuth] as const,
  request: { params: companyParam },
  responses: {
    200: {
      description: 'Company',
      content: { 'application/json': { schema: envelope(companyRecord) } },
    },
    ...errorResponses(404),
  },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create a company (the caller becomes its owner)',
  middleware: [requireAuth] as const,
  request: { body: jsonBody(createBody) },
  responses: {
    201: {
      description: 'Created',
      content: { 'application/json': { schema: envelope(companyRecord) } },
    },
    ...errorResponses(401, 403),
  },
});

const updateRoute = (method: 'patch' | 'put') =>
  createRoute({
    method,
    path: '/{id}',
    tags,
    summary: 'Update a company (owner/admin; `tokens`: platform admin)',
    middleware: [requireAuth] as const,
    request: { params: companyParam, body: jsonBody(patchBody) },
    responses: {
      200: {
        description: 'Updated',
        content: { 'application/json': { schema: envelope(companyRecord) } },
      },
      ...errorResponses(401, 403, 404),
    },
  });

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete a company and everything in it (owner/admin; soft delete)',
  middleware: [requireAuth] as const,
  request: { params: companyParam },
  responses: {
    200: {
      description: 'Deleted',
      content: { 'application/json': { schema: envelope(deletedBody) } },
    },
    ...errorResponses(401, 403, 404),
  },
});

/** The product documents spell it stripeCustomerID; both spellings are accepted. */
function companyInput(body: z.infer<typeof patchBody>) {
  return {
    name: body.name,
    stripeCustomerId: body.stripeCustomerId ?? body.stripeCustomerID,
    tokens: body.tokens,
  };
}

/** `/` and `/{id}` of /api/public/v1/companies. */
export function companyRoutes({ services }: RouteDeps) {
  const tenancy = services.tenancy.directory;
  const app = router()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { data, total } = await tenancy.listCompanies(c.get('auth')?.user ?? null, query);
      return okPage(c, data, query, total);
    })
    .openapi(get, async (c) =>
      ok(c, await tenancy.getCompany(c.get('auth')?.user ?? null, c.req.valid('param').id)),
    )
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const input = { ...companyInput(body), name: body.name };
      return ok(c, await tenancy.createCompany(authOf(c).user, input, requestMeta(c)), 201);
    })
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      await tenancy.deleteCompany(authOf(c).user, id, requestMeta(c));
      return ok(c, { id });
    });
  for (const method of ['patch', 'put'] as const) {
    app.openapi(updateRoute(method), async (c) => {
      const { id } = c.req.valid('param');
      const input = companyInput(c.req.valid('json'));
      return ok(c, await tenancy.updateCompany(authOf(c).user, id, input, requestMeta(c)));
    });
  }
  return app;
}
