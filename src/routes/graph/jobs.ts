import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok, okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import { serialId } from '../../lib/serial-id';
import { tarGz } from '../../services/codegen/tarball';
import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { jobIdParam, jobView, toJobView } from './schemas';

const status = createRoute({
  method: 'get',
  path: '/codegen/{jobId}',
  tags: ['graph'],
  summary: 'Status of a job',
  middleware: [requireAuth] as const,
  request: { params: jobIdParam },
  responses: {
    200: { description: 'Job', content: { 'application/json': { schema: envelope(jobView) } } },
    ...errorResponses(401, 404),
  },
});

const list = createRoute({
  method: 'get',
  path: '/codegen',
  tags: ['graph'],
  summary: "A project's jobs, newest first",
  middleware: [requireAuth] as const,
  request: {
    query: z.object({
      ...pageQuery,
      projectId: serialId,
    }),
  },
  responses: {
    200: {
      description: 'Jobs',
      content: { 'application/json': { schema: pagedEnvelope(jobView) } },
    },
    ...errorResponses(401, 404),
  },
});

const fileSchema = z.object({ path: z.string(), content: z.string() });
const result = createRoute({
  method: 'get',
  path: '/codegen/{jobId}/result',
  tags: ['graph'],
  summary: 'Generated files (JSON, or ?format=tar for a .tar.gz)',
  description: '409 CONFLICT until the job has succeeded.',
  middleware: [requireAuth] as const,
  request: {
    params: jobIdParam,
    query: z.object({ format: z.enum(['json', 'tar']).default('json') }),
  },
  responses: {
    200: {
      description: 'Result',
      content: {
        'application/json': {
          schema: envelope(
            z.object({
              jobId: z.string(),
              kind: z.string(),
              files: z.array(fileSchema),
              plan: z.unknown().optional(),
            }),
          ),
        },
        'application/gzip': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    ...errorResponses(401, 404, 409),
  },
});

const cancel = createRoute({
  method: 'delete',
  path: '/codegen/{jobId}',
  tags: ['graph'],
  summary: 'Cancel a job',
  description: 'Unused reserved tokens are refunded. 409 when the job already finished.',
  middleware: [requireAuth] as const,
  request: { params: jobIdParam },
  responses: {
    200: {
      description: 'Cancelled',
      content: { 'application/json': { schema: envelope(jobView) } },
    },
    ...errorResponses(401, 404, 409),
  },
});

const ticket = createRoute({
  method: 'post',
  path: '/codegen/{jobId}/ticket',
  tags: ['graph'],
  summary: 'A single-use ticket for the job WebSocket',
  description:
    'For clients without the session cookie: open WS /codegen/{jobId}/subscribe?ticket=… within ' +
    'the ticket lifetime (WS_TICKET_TTL_SECONDS). The ticket works once, for this job only.',
  middleware: [requireAuth] as const,
  request: { params: jobIdParam },
  responses: {
    201: {
      description: 'Ticket',
      content: {
        'application/json': {
          schema: envelope(z.object({ ticket: z.string(), expiresAt: z.string() })),
        },
      },
    },
    ...errorResponses(401, 404),
  },
});

export function jobRoutes({ services }: RouteDeps) {
  return router()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { rows, total } = await services.codegen.jobs.list(
        authOf(c).user,
        query.projectId,
        query,
      );
      return okPage(c, rows.map(toJobView), query, total);
    })
    .openapi(status, async (c) => {
      const job = await services.codegen.jobs.visibleJob(
        authOf(c).user,
        c.req.valid('param').jobId,
      );
      return ok(c, toJobView(job));
    })
    .openapi(result, async (c) => {
      const { jobId } = c.req.valid('param');
      const { job, result: files } = await services.codegen.jobs.result(authOf(c).user, jobId);
      if (c.req.valid('query').format === 'tar') {
        const root = `kubegram-${job.kind}-${job.id.slice(0, 8)}`;
        const body = tarGz(files.files, { root, mtime: job.finishedAt ?? job.updatedAt });
        return c.body(body as Uint8Array<ArrayBuffer>, 200, {
          'content-type': 'application/gzip',
          'content-disposition': `attachment; filename="${root}.tar.gz"`,
        });
      }
      return ok(c, { jobId: job.id, kind: job.kind, ...files });
    })
    .openapi(cancel, async (c) => {
      const job = await services.codegen.jobs.cancel(
        authOf(c).user,
        c.req.valid('param').jobId,
        requestMeta(c),
      );
      return ok(c, toJobView(job));
    })
    .openapi(ticket, async (c) => {
      const issued = await services.codegen.jobs.issueTicket(
        authOf(c).user,
        c.req.valid('param').jobId,
      );
      c.header('Cache-Control', 'no-store');
      return ok(c, issued, 201);
    });
}
