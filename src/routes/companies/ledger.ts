import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const entry = z
  .object({
    id: z.string(),
    companyId: z.string(),
    jobId: z.string().nullable(),
    userId: z.string().nullable(),
    amount: z.number().openapi({ description: 'Negative for a debit, positive for a credit' }),
    reason: z.string().openapi({ example: 'codegen.reserve' }),
    balanceAfter: z.number(),
    details: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
  })
  .openapi('TokenLedgerEntry');

const route = createRoute({
  method: 'get',
  path: '/{id}/ledger',
  tags: ['companies'],
  summary: "The company's token ledger, newest first (owners and admins)",
  middleware: [requireAuth] as const,
  request: {
    params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }),
    query: z.object(pageQuery),
  },
  responses: {
    200: {
      description: 'Ledger',
      content: { 'application/json': { schema: pagedEnvelope(entry) } },
    },
    ...errorResponses(401, 403, 404),
  },
});

/** `/{id}/ledger` of /api/public/v1/companies. */
export function ledgerRoutes({ services }: RouteDeps) {
  return router().openapi(route, async (c) => {
    const query = c.req.valid('query');
    const { rows, total } = await services.codegen.jobs.ledger(
      authOf(c).user,
      c.req.valid('param').id,
      query,
    );
    const data = rows.map((r) => ({
      id: String(r.id),
      companyId: r.companyId,
      jobId: r.jobId,
      userId: r.userId === null ? null : String(r.userId),
      amount: r.amount,
      reason: r.reason,
      balanceAfter: r.balanceAfter,
      details: r.details ?? null,
      createdAt: r.createdAt.toISOString(),
    }));
    return okPage(c, data, query, total);
  });
}
