import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import { JOB_STATUSES } from '../../services/codegen/job-status';
import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { submitBody } from './schemas';

const accepted = envelope(
  z.object({
    jobId: z.string(),
    status: z.enum(JOB_STATUSES),
  }),
);

function submitRoute(path: '/codegen' | '/plan', maxNodes: number) {
  const plan = path === '/plan';
  return createRoute({
    method: 'post',
    path,
    tags: ['graph'],
    summary: plan ? 'Submit a planning job' : 'Submit a code-generation job',
    description:
      'Validates the graph, stores it on the project (creating the project when only a name is ' +
      'given), persists the job and answers 202. KubeRAG jobs need a positive company token ' +
      'balance (402) and reserve an estimate; `modelProvider: "builtin"` (or no KUBERAG_URL) ' +
      'uses the free built-in generator. Watch it at WS /codegen/{jobId}/subscribe.',
    middleware: [requireAuth] as const,
    request: { body: jsonBody(submitBody(maxNodes)) },
    responses: {
      202: { description: 'Accepted', content: { 'application/json': { schema: accepted } } },
      ...errorResponses(401, 402, 403, 404, 409, 413, 415, 503),
    },
  });
}

/** POST /codegen and POST /plan. */
export function submitRoutes({ services, config }: RouteDeps) {
  const maxNodes = config.codegen.graphMaxNodes;
  const app = router();
  for (const path of ['/codegen', '/plan'] as const) {
    app.openapi(submitRoute(path, maxNodes), async (c) => {
      const body = c.req.valid('json');
      const job = await services.codegen.jobs.submit(
        authOf(c).user,
        {
          kind: path === '/plan' ? 'plan' : 'codegen',
          modelProvider: body.input.modelProvider,
          modelName: body.input.modelName,
          graph: body.input.graph,
          context: body.context,
          companyId: body.companyId,
          project: body.project,
        },
        requestMeta(c),
      );
      return ok(c, { jobId: job.id, status: job.status }, 202);
    });
  }
  return app;
}
