import type { Hono } from 'hono';
import { inspectRoutes } from 'hono/dev';

/**
 * Which routes the security lists leave out. The routes come from the app itself (its Hono
 * route table and its /openapi.json), so a new endpoint shows up here without anyone
 * remembering to list it.
 */

/** One HTTP operation; served and public ones spell path parameters the OpenAPI way: `{id}`. */
export interface Operation {
  method: string;
  path: string;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

export const label = (op: Operation) => `${op.method} ${op.path}`;

/** Hono writes `:id` (or `:id{regex}`) where OpenAPI writes `{id}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)(?:\{[^}]*\})?/g, '{$1}');

/** Every operation the app serves: its route table and its OpenAPI document, in one spelling. */
export function servedOperations(app: Hono<any>, doc: OpenApiDocument): Operation[] {
  const served = new Map<string, Operation>();
  const add = (op: Operation) => served.set(label(op), op);
  for (const route of inspectRoutes(app)) {
    // app.use() registers its middleware under ALL; those are not routes of their own.
    if (route.method === 'ALL' && route.isMiddleware) continue;
    add({ method: route.method, path: openApiPath(route.path) });
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item).filter((key) => HTTP_METHODS.has(key))) {
      add({ method: method.toUpperCase(), path });
    }
  }
  return [...served.values()];
}

const isParam = (segment: string) => segment.startsWith('{') && segment.endsWith('}');

/**
 * The served operation a request reaches (its query string ignored): same method, same number
 * of segments, each literal equal. When several match, the one with the most literal segments
 * wins, so `GET /iac/export` is not mistaken for `GET /iac/{kind}`.
 */
export function operationFor(request: Operation, served: Operation[]): Operation | undefined {
  const wanted = request.path.split('?')[0]!.split('/');
  let best: { op: Operation; literals: number } | undefined;
  for (const op of served) {
    const segments = op.path.split('/');
    if (op.method !== request.method || segments.length !== wanted.length) continue;
    if (!segments.every((s, i) => (isParam(s) ? wanted[i] !== '' : s === wanted[i]))) continue;
    const literals = segments.filter((s) => !isParam(s)).length;
    if (!best || literals > best.literals) best = { op, literals };
  }
  return best?.op;
}

export interface CoverageReport {
  /** Served operations in neither list. */
  unlisted: string[];
  /** List entries that reach no served operation (the route moved or went away). */
  stale: string[];
  /** Operations both listed as public and run through the protected checks. */
  inBothLists: string[];
}

/**
 * `protectedRequests` are concrete requests (`/users/123?x=1`); `publicOperations` name
 * operations exactly as served (`/oauth/{provider}`).
 */
export function routeCoverage(
  served: Operation[],
  protectedRequests: Operation[],
  publicOperations: Operation[],
): CoverageReport {
  const servedLabels = new Set(served.map(label));
  const reached = protectedRequests.map((request) => ({
    request,
    op: operationFor(request, served),
  }));
  const protectedLabels = new Set(reached.flatMap(({ op }) => (op ? [label(op)] : [])));
  const publicLabels = new Set(publicOperations.map(label));
  return {
    unlisted: [...servedLabels]
      .filter((op) => !protectedLabels.has(op) && !publicLabels.has(op))
      .sort(),
    stale: [
      ...reached.filter(({ op }) => !op).map(({ request }) => `protected: ${label(request)}`),
      ...[...publicLabels].filter((op) => !servedLabels.has(op)).map((op) => `public: ${op}`),
    ],
    inBothLists: [...publicLabels].filter((op) => protectedLabels.has(op)),
  };
}
