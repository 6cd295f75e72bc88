import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { requireAuth, requireRole } from '../../http/middleware/auth';
import { okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const auditRecord = z
  .object({
    id: z.string(),
    userId: z.string().nullable(),
    action: z.string(),
    resourceType: z.string().nullable(),
    resourceId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('AuditLog');

const route = createRoute({
  method: 'get',
  path: '/audit-logs',
  tags: ['admin'],
  summary: 'Audit log (admin)',
  middleware: [requireAuth, requireRole('admin')] as const,
  request: {
    query: z.object({
      ...pageQuery,
      action: z.string().max(100).optional(),
      userId: z
        .string()
        .regex(/^[1-9][0-9]{0,8}$/)
        .optional(),
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
    }),
  },
  responses: {
    200: {
      description: 'Audit rows, newest first',
      content: { 'application/json': { schema: pagedEnvelope(auditRecord) } },
    },
    ...errorResponses(401, 403),
  },
});

export function auditLogRoutes({ services }: RouteDeps) {
  return router().openapi(route, async (c) => {
    const q = c.req.valid('query');
    const { rows, total } = await services.audit.logs.list({
      page: q.page,
      limit: q.limit,
      action: q.action,
      userId: q.userId === undefined ? undefined : Number(q.userId),
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
    });
    const data = rows.map((r) => ({
      id: String(r.id),
      userId: r.userId === null ? null : String(r.userId),
      action: r.action,
      resourceType: r.resourceType,
      resourceId: r.resourceId,
      details: r.details ?? null,
      ip: r.ip,
      userAgent: r.userAgent,
      createdAt: r.createdAt.toISOString(),
    }));
    return okPage(c, data, q, total);
  });
}
