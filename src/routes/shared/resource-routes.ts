import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { errorResponses } from '../../http/errors';
import { authOf, optionalAuth, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, idParam, ok, okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import type { RequestMeta } from '../../services/audit/audit-service';
import type { AuthUser } from '../../services/auth/types';
import { router } from '../deps';
import { deletedBody } from './tenancy-schemas';

type PageQuery = z.output<z.ZodObject<typeof pageQuery>>;

/**
 * What organizations, teams and projects each say about themselves; `resourceRoutes` turns it
 * into the routes they share: `GET /` (paged), `GET /{id}`, `POST /`, `PATCH`/`PUT /{id}` and
 * `DELETE /{id}` (soft, with what it contains).
 */
export interface ResourceDescription<
  Filters extends z.ZodRawShape,
  Create extends z.ZodType,
  Patch extends z.ZodType,
> {
  tag: string;
  /** What one is called ("Team"): the description of `GET /{id}`'s answer. */
  noun: string;
  /** One resource, as `GET /{id}`, `POST` and `PATCH` answer it. */
  record: z.ZodType;
  /** A list item, when lists show less than `record` (and its description). */
  listItem: { schema: z.ZodType; description: string };
  /**
   * Anyone may list and read (what anonymous callers see is the service's business); otherwise
   * signed-in users only. Reads get the context, so each resource says whose user it passes.
   */
  anonymousReads?: boolean;
  summaries: { list: string; create: string; update: string; delete: string };
  /** Query parameters of `GET /` besides `page` and `limit`. */
  filters: Filters;
  createBody: Create;
  patchBody: Patch;
  list(
    c: Context<AppEnv>,
    query: PageQuery & z.output<z.ZodObject<Filters>>,
  ): Promise<{ data: unknown[]; total: number }>;
  /** `GET /{id}`; without it, the resource routes its own (organizations: by id or slug). */
  get?: { summary: string; read(c: Context<AppEnv>, id: number): Promise<unknown> };
  create(actor: AuthUser, body: z.output<Create>, meta: RequestMeta): Promise<unknown>;
  update(actor: AuthUser, id: number, patch: z.output<Patch>, meta: RequestMeta): Promise<unknown>;
  remove(actor: AuthUser, id: number, meta: RequestMeta): Promise<unknown>;
}

export function resourceRoutes<
  Filters extends z.ZodRawShape,
  Create extends z.ZodType,
  Patch extends z.ZodType,
>(d: ResourceDescription<Filters, Create, Patch>) {
  const tags = [d.tag];
  // Routes are typed by their schemas; generic ones would leave the handlers untyped, so the
  // bodies are plain ZodTypes here and their parsed values are cast back once, below.
  const createBody: z.ZodType = d.createBody;
  const patchBody: z.ZodType = d.patchBody;
  const one = { 'application/json': { schema: envelope(d.record) } };
  const readAuth = d.anonymousReads ? optionalAuth : requireAuth;
  const listErrors = d.anonymousReads ? [] : [401, 404];
  const getErrors = d.anonymousReads ? [404] : [401, 404];

  const list = createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: d.summaries.list,
    middleware: [readAuth] as const,
    request: { query: z.object({ ...pageQuery, ...d.filters }) },
    responses: {
      200: {
        description: d.listItem.description,
        content: { 'application/json': { schema: pagedEnvelope(d.listItem.schema) } },
      },
      ...errorResponses(...listErrors),
    },
  });
  const get = (summary: string) =>
    createRoute({
      method: 'get',
      path: '/{id}',
      tags,
      summary,
      middleware: [readAuth] as const,
      request: { params: idParam },
      responses: { 200: { description: d.noun, content: one }, ...errorResponses(...getErrors) },
    });
  const create = createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: d.summaries.create,
    middleware: [requireAuth] as const,
    request: { body: jsonBody(createBody) },
    responses: {
      201: { description: 'Created', content: one },
      ...errorResponses(401, 403, 404, 409),
    },
  });
  const update = (method: 'patch' | 'put') =>
    createRoute({
      method,
      path: '/{id}',
      tags,
      summary: d.summaries.update,
      middleware: [requireAuth] as const,
      request: { params: idParam, body: jsonBody(patchBody) },
      responses: {
        200: { description: 'Updated', content: one },
        ...errorResponses(401, 403, 404, 409),
      },
    });
  const remove = createRoute({
    method: 'delete',
    path: '/{id}',
    tags,
    summary: d.summaries.delete,
    middleware: [requireAuth] as const,
    request: { params: idParam },
    responses: {
      200: {
        description: 'Deleted',
        content: { 'application/json': { schema: envelope(deletedBody) } },
      },
      ...errorResponses(401, 403, 404),
    },
  });

  const app = router().openapi(list, async (c) => {
    const query = c.req.valid('query') as PageQuery & z.output<z.ZodObject<Filters>>;
    const { data, total } = await d.list(c, query);
    return okPage(c, data, query, total);
  });
  const byId = d.get;
  if (byId) {
    app.openapi(get(byId.summary), async (c) => ok(c, await byId.read(c, c.req.valid('param').id)));
  }
  app
    .openapi(create, async (c) => {
      const body = c.req.valid('json') as z.output<Create>;
      return ok(c, await d.create(authOf(c).user, body, requestMeta(c)), 201);
    })
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      await d.remove(authOf(c).user, id, requestMeta(c));
      return ok(c, { id: String(id) });
    });
  for (const method of ['patch', 'put'] as const) {
    app.openapi(update(method), async (c) => {
      const patch = c.req.valid('json') as z.output<Patch>;
      const { id } = c.req.valid('param');
      return ok(c, await d.update(authOf(c).user, id, patch, requestMeta(c)));
    });
  }
  return app;
}
