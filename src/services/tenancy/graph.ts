import type { ProjectGraph } from '../../db/schema';
import { ValidationError } from '../../lib/errors';

/** Limits that keep one project's graph a reasonable JSONB value. */
export const GRAPH_LIMITS = {
  nodes: 2_000,
  edges: 10_000,
  bytes: 512 * 1024,
  idLength: 200,
  /** Nesting of the whole value: the UI needs a handful of levels; JSONB and JSON.stringify choke on thousands. */
  depth: 32,
};

/** Whether `value` nests deeper than `limit`; iterative, so a hostile value cannot overflow the stack. */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * A graph is `{nodes: [{id, …}], edges: [{source, target, …}]}`: node ids unique, every edge
 * between existing nodes. Extra properties are kept (the UI stores positions and settings).
 * `path` prefixes the field paths of errors (`graph`, or `spec.graph` for manifests).
 */
export function validateGraph(value: unknown, path = 'graph'): ProjectGraph {
  const fail = (at: string, message: string): never => {
    throw new ValidationError('Invalid graph', [{ path: at, message }]);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(path, 'Expected an object with nodes and edges');
  }
  if (deeperThan(value, GRAPH_LIMITS.depth)) {
    fail(path, `Graph nests deeper than ${GRAPH_LIMITS.depth} levels`);
  }
  const size = JSON.stringify(value).length;
  if (size > GRAPH_LIMITS.bytes) fail(path, `Graph exceeds ${GRAPH_LIMITS.bytes} bytes`);
  const graph = value as Record<string, unknown>;
  const nodes = graph.nodes ?? [];
  const edges = graph.edges ?? [];
  if (!Array.isArray(nodes)) return fail(`${path}.nodes`, 'Expected an array');
  if (!Array.isArray(edges)) return fail(`${path}.edges`, 'Expected an array');
  if (nodes.length > GRAPH_LIMITS.nodes)
    fail(`${path}.nodes`, `At most ${GRAPH_LIMITS.nodes} nodes`);
  if (edges.length > GRAPH_LIMITS.edges)
    fail(`${path}.edges`, `At most ${GRAPH_LIMITS.edges} edges`);
  const ids = new Set<string>();
  nodes.forEach((node, i) => {
    const at = `${path}.nodes.${i}`;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      fail(at, 'Expected an object');
    }
    const id = (node as { id?: unknown }).id;
    if (typeof id !== 'string' || id.length === 0 || id.length > GRAPH_LIMITS.idLength) {
      fail(
        `${at}.id`,
        `Expected a non-empty string of at most ${GRAPH_LIMITS.idLength} characters`,
      );
    }
    if (ids.has(id as string)) fail(`${at}.id`, `Duplicate node id "${id}"`);
    ids.add(id as string);
  });
  edges.forEach((edge, i) => {
    const at = `${path}.edges.${i}`;
    if (typeof edge !== 'object' || edge === null || Array.isArray(edge)) {
      fail(at, 'Expected an object');
    }
    for (const end of ['source', 'target'] as const) {
      const ref = (edge as Record<string, unknown>)[end];
      if (typeof ref !== 'string') fail(`${at}.${end}`, 'Expected a node id');
      else if (!ids.has(ref)) fail(`${at}.${end}`, `Unknown node "${ref}"`);
    }
  });
  return { ...graph, nodes, edges } as ProjectGraph;
}

/** JSON with object keys sorted: JSONB reorders keys, so equality must not depend on order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
