import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok, okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import { type RouteDeps, router } from '../deps';
import { invitationRecord, uuid } from '../shared/tenancy-schemas';

const tags = ['invitations'];

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: "List a company's invitations (company owner/admin)",
  middleware: [requireAuth] as const,
  request: { query: z.object({ ...pageQuery, companyId: uuid }) },
  responses: {
    200: {
      description: 'Invitations',
      content: { 'application/json': { schema: pagedEnvelope(invitationRecord) } },
    },
    ...errorResponses(401, 403, 404),
  },
});

const accept = createRoute({
  method: 'post',
  path: '/{token}/accept',
  tags,
  summary: 'Accept an invitation sent to your email (single use, 7 days)',
  middleware: [requireAuth] as const,
  request: { params: z.object({ token: z.string().max(100) }) },
  responses: {
    200: {
      description: 'Accepted: the membership exists',
      content: { 'application/json': { schema: envelope(invitationRecord) } },
    },
    ...errorResponses(401, 403, 404, 409),
  },
});

const revoke = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Revoke an open invitation',
  middleware: [requireAuth] as const,
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: {
    200: {
      description: 'Revoked',
      content: { 'application/json': { schema: envelope(z.object({ id: z.string() })) } },
    },
    ...errorResponses(401, 403, 404, 409),
  },
});

/** Mounted at /api/public/v1/invitations. */
export function invitationRoutes({ services }: RouteDeps) {
  const tenancy = services.tenancy.directory;
  return router()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { data, total } = await tenancy.listInvitations(authOf(c).user, query.companyId, query);
      return okPage(c, data, query, total);
    })
    .openapi(accept, async (c) =>
      ok(
        c,
        await tenancy.acceptInvitation(authOf(c).user, c.req.valid('param').token, requestMeta(c)),
      ),
    )
    .openapi(revoke, async (c) => {
      const { id } = c.req.valid('param');
      await tenancy.revokeInvitation(authOf(c).user, id, requestMeta(c));
      return ok(c, { id });
    });
}
