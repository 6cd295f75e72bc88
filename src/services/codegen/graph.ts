import { z } from '@hono/zod-openapi';

/**
 * The application graph a user draws: nodes are components, edges are "source talks to target".
 * One zod schema validates it everywhere (HTTP bodies, the built-in generator, KubeRAG input),
 * so a graph that passes here is one the generator can always turn into manifests.
 */

export const NODE_TYPES = [
  'service',
  'database',
  'queue',
  'cache',
  'ingress',
  'configmap',
  'secret',
  'cronjob',
  'autoscaler',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** Components with pods that open connections to others. */
export const WORKLOAD_TYPES: ReadonlySet<NodeType> = new Set(['service', 'cronjob']);
/** Components reached over the network (they get a Service and accept drawn connections). */
export const NETWORK_TARGET_TYPES: ReadonlySet<NodeType> = new Set([
  'service',
  'database',
  'queue',
  'cache',
]);
export const CONFIG_TYPES: ReadonlySet<NodeType> = new Set(['configmap', 'secret']);

const quantity = z
  .string()
  .regex(
    /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/,
    'Must be a Kubernetes quantity like 100m or 256Mi',
  );
const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'Must be a valid environment variable name');
const keyName = z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, 'Must be a valid ConfigMap/Secret key');
const resourceList = z.object({ cpu: quantity.optional(), memory: quantity.optional() });

/**
 * Settings a node may carry. Unknown settings are dropped; a `secret` node only ever reads
 * `keys`, so a secret value sent by mistake can never reach the generated output.
 */
export const nodeConfigSchema = z.object({
  image: z
    .string()
    .max(255)
    .regex(/^[a-z0-9][a-zA-Z0-9._\-/:@]*$/, 'Must be a container image reference')
    .optional(),
  port: z.number().int().min(1).max(65535).optional(),
  replicas: z.number().int().min(0).max(100).optional(),
  env: z.record(envName, z.string().max(4096)).optional(),
  resources: z
    .object({ requests: resourceList.optional(), limits: resourceList.optional() })
    .optional(),
  healthPath: z
    .string()
    .regex(/^\/[\x21-\x7e]{0,255}$/, 'Must be an absolute HTTP path')
    .optional(),
  engine: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/)
    .optional(),
  version: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .optional(),
  storage: quantity.optional(),
  host: z
    .string()
    .regex(
      /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
      'Must be a DNS host name',
    )
    .max(253)
    .optional(),
  tlsSecretName: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/)
    .optional(),
  className: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/)
    .optional(),
  controllerNamespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
    .optional(),
  data: z.record(keyName, z.string().max(65536)).optional(),
  keys: z.array(keyName).max(100).optional(),
  schedule: z
    .string()
    .regex(
      /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/,
      'Must be a cron schedule',
    )
    .max(128)
    .optional(),
  command: z.array(z.string().max(1024)).max(50).optional(),
  minReplicas: z.number().int().min(1).max(1000).optional(),
  maxReplicas: z.number().int().min(1).max(1000).optional(),
  targetCPUUtilization: z.number().int().min(1).max(100).optional(),
});
export type NodeConfig = z.infer<typeof nodeConfigSchema>;

/** Extra keys (positions, colours from the UI) are kept so the stored graph round-trips. */
export const graphNodeSchema = z.looseObject({
  id: z.string().min(1).max(128),
  type: z.enum(NODE_TYPES),
  name: z.string().min(1).max(128).optional(),
  config: nodeConfigSchema.optional(),
});
export type GraphNode = z.infer<typeof graphNodeSchema>;

export const graphEdgeSchema = z.looseObject({
  id: z.string().min(1).max(128).optional(),
  source: z.string().min(1).max(128),
  target: z.string().min(1).max(128),
  /** Ingress edges: the URL path routed to the target service. */
  path: z
    .string()
    .regex(/^\/[\x21-\x7e]{0,255}$/, 'Must be an absolute HTTP path')
    .optional(),
});
export type GraphEdge = z.infer<typeof graphEdgeSchema>;

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const DEFAULT_GRAPH_MAX_NODES = 500;

/**
 * Kubernetes object name for a node: a DNS-1035 label short enough for the suffixes the
 * generator adds (`-credentials`, StatefulSet pod ordinals). Empty when nothing usable is left.
 */
export function resourceName(node: Pick<GraphNode, 'id' | 'name'>): string {
  const base = (node.name ?? node.id)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  const named = /^[a-z]/.test(base) ? base : base ? `c-${base}` : '';
  return named.slice(0, 40).replace(/-+$/, '');
}

type Issue = { path: (string | number)[]; message: string };

/** Which connections make sense; anything else is refused with a message naming the edge. */
function edgeProblem(source: NodeType, target: NodeType): string | undefined {
  if (source === 'ingress') {
    return target === 'service' ? undefined : 'an ingress can only route to a service';
  }
  if (source === 'autoscaler') {
    return target === 'service' ? undefined : 'an autoscaler can only scale a service';
  }
  if (CONFIG_TYPES.has(source)) {
    return WORKLOAD_TYPES.has(target)
      ? undefined
      : `a ${source} can only be used by a service or cronjob`;
  }
  if (WORKLOAD_TYPES.has(source)) {
    if (NETWORK_TARGET_TYPES.has(target) || CONFIG_TYPES.has(target)) return undefined;
    return `a ${source} cannot connect to a ${target}`;
  }
  return `a ${source} does not open connections; draw the edge from the component that uses it`;
}

function graphIssues(graph: Graph): Issue[] {
  const issues: Issue[] = [];
  const byId = new Map<string, GraphNode>();
  const byName = new Map<string, string>();
  graph.nodes.forEach((node, i) => {
    if (byId.has(node.id)) {
      issues.push({ path: ['nodes', i, 'id'], message: `Duplicate node id "${node.id}"` });
      return;
    }
    byId.set(node.id, node);
    const name = resourceName(node);
    if (!name) {
      issues.push({
        path: ['nodes', i, 'name'],
        message: 'Name has no usable characters (a-z, 0-9, -)',
      });
      return;
    }
    const clash = byName.get(name);
    if (clash !== undefined) {
      issues.push({
        path: ['nodes', i, 'name'],
        message: `Resource name "${name}" is already used by node "${clash}"`,
      });
    }
    byName.set(name, node.id);
  });
  const autoscaled = new Map<string, number>();
  graph.edges.forEach((edge, i) => {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    if (!source)
      issues.push({ path: ['edges', i, 'source'], message: `No node with id "${edge.source}"` });
    if (!target)
      issues.push({ path: ['edges', i, 'target'], message: `No node with id "${edge.target}"` });
    if (!source || !target) return;
    if (source.id === target.id) {
      issues.push({ path: ['edges', i], message: 'A node cannot connect to itself' });
      return;
    }
    const problem = edgeProblem(source.type, target.type);
    if (problem) issues.push({ path: ['edges', i], message: `Invalid edge: ${problem}` });
    if (source.type === 'autoscaler')
      autoscaled.set(source.id, (autoscaled.get(source.id) ?? 0) + 1);
  });
  graph.nodes.forEach((node, i) => {
    if (node.type !== 'autoscaler') return;
    if ((autoscaled.get(node.id) ?? 0) !== 1) {
      issues.push({
        path: ['nodes', i],
        message: 'An autoscaler needs exactly one edge to the service it scales',
      });
    }
    const { minReplicas = 1, maxReplicas = 5 } = node.config ?? {};
    if (minReplicas > maxReplicas) {
      issues.push({
        path: ['nodes', i, 'config', 'minReplicas'],
        message: 'minReplicas exceeds maxReplicas',
      });
    }
  });
  return issues;
}

/** The graph schema with the instance's node limit (GRAPH_MAX_NODES). */
export function graphSchema(maxNodes: number = DEFAULT_GRAPH_MAX_NODES) {
  return z
    .object({
      nodes: z.array(graphNodeSchema).min(1).max(maxNodes, `At most ${maxNodes} nodes`),
      edges: z
        .array(graphEdgeSchema)
        .max(maxNodes * 10)
        .default([]),
    })
    .superRefine((graph, ctx) => {
      for (const issue of graphIssues(graph)) {
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }
    })
    .openapi('Graph');
}

/** Validates a graph that did not come through an HTTP schema (stored projects, tests). */
export function parseGraph(value: unknown, maxNodes?: number) {
  return graphSchema(maxNodes).safeParse(value);
}
