import { createRoute, z } from '@hono/zod-openapi';
import { stringify } from 'yaml';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import { type RouteDeps, router } from '../deps';
import { applyResult, kindParam, manifestSchema, parentQuery, wantsYaml } from './schemas';

const tags = ['iac'];
const YAML = 'application/yaml; charset=utf-8';

const apply = createRoute({
  method: 'post',
  path: '/apply',
  tags,
  summary: 'Apply manifests (JSON or YAML, one or many documents) in one transaction',
  description:
    'Body: `application/json` (a manifest, an array, or a `List` with `items`) or `application/yaml` (documents separated by `---`). Kinds: Company, Organization, Team, Project; apiVersion `kubegram.io/v1` or `v1`. Create-or-update by `metadata.name` within the parent. Any error applies nothing and names `documents[i].<field>`.',
  middleware: [requireAuth] as const,
  request: {
    query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
    // Documented only: the handler reads the raw body itself (JSON is accepted as well), so
    // that size, alias and depth limits apply before anything is materialised.
    body: {
      required: true,
      content: {
        'application/yaml': {
          schema: z.string().openapi({
            example:
              'apiVersion: kubegram.io/v1\nkind: Organization\nmetadata: { name: engineering }\nspec: { companyID: <uuid> }',
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'What happened to each object',
      content: { 'application/json': { schema: envelope(applyResult) } },
    },
    ...errorResponses(401, 403, 404, 409, 413, 415),
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/export',
  tags,
  summary: 'Export a company and everything in it you can read, as multi-document YAML',
  middleware: [requireAuth] as const,
  request: { query: z.object({ companyID: z.uuid() }) },
  responses: {
    200: {
      description: 'Manifests that re-apply unchanged',
      content: { 'application/yaml': { schema: z.string() } },
    },
    ...errorResponses(401, 404),
  },
});

const params = z.object({ kind: kindParam, name: z.string().min(1).max(200) });

const get = createRoute({
  method: 'get',
  path: '/{kind}/{name}',
  tags,
  summary: 'Get one object as a manifest with its status (YAML when Accept asks for it)',
  middleware: [requireAuth] as const,
  request: { params, query: z.object(parentQuery) },
  responses: {
    200: {
      description: 'Manifest',
      content: {
        'application/json': { schema: envelope(manifestSchema) },
        'application/yaml': { schema: z.string() },
      },
    },
    ...errorResponses(401, 404),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/{kind}/{name}',
  tags,
  summary: 'Delete one object (and what it contains)',
  middleware: [requireAuth] as const,
  request: { params, query: z.object(parentQuery) },
  responses: {
    200: {
      description: 'Deleted',
      content: {
        'application/json': {
          schema: envelope(z.object({ kind: z.string(), name: z.string(), id: z.string() })),
        },
      },
    },
    ...errorResponses(401, 403, 404),
  },
});

/** Mounted at /api/public/v1/iac. */
export function iacRoutes({ services }: RouteDeps) {
  const iac = services.iac.manifests;
  return router()
    .openapi(apply, async (c) => {
      const body = await c.req.text();
      const type = c.req.header('content-type') ?? 'application/json';
      const dryRun = c.req.valid('query').dryRun === 'true';
      return ok(c, await iac.apply(authOf(c).user, body, type, dryRun, requestMeta(c)));
    })
    .openapi(exportRoute, async (c) => {
      const yaml = await iac.export(authOf(c).user, c.req.valid('query').companyID);
      return c.body(yaml, 200, { 'content-type': YAML });
    })
    .openapi(get, async (c) => {
      const { kind, name } = c.req.valid('param');
      const manifest = await iac.get(authOf(c).user, kind, name, c.req.valid('query'));
      if (wantsYaml(c.req.header('accept')))
        return c.body(stringify(manifest), 200, { 'content-type': YAML });
      return ok(c, manifest);
    })
    .openapi(remove, async (c) => {
      const { kind, name } = c.req.valid('param');
      return ok(
        c,
        await iac.remove(authOf(c).user, kind, name, c.req.valid('query'), requestMeta(c)),
      );
    });
}
