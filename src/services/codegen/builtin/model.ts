import {
  type Graph,
  type GraphEdge,
  type GraphNode,
  type NodeConfig,
  type NodeType,
  resourceName,
} from '../graph';

/**
 * The graph resolved into what the renderers need: Kubernetes names, ports, images and the
 * drawn connections, all with defaults applied. Everything is sorted by name so the output
 * does not depend on the order the UI sent nodes in.
 */

export type Kube = Record<string, unknown>;

export interface Engine {
  image: string;
  port: number;
  dataPath?: string;
  /** Container env wiring the generated credentials Secret into the engine. */
  credentialEnv?: Array<{ name: string; key: string }>;
}

const ENGINES: Record<string, Record<string, Engine>> = {
  database: {
    postgres: {
      image: 'postgres:16',
      port: 5432,
      dataPath: '/var/lib/postgresql/data',
      credentialEnv: [
        { name: 'POSTGRES_USER', key: 'username' },
        { name: 'POSTGRES_PASSWORD', key: 'password' },
      ],
    },
    mysql: {
      image: 'mysql:8.4',
      port: 3306,
      dataPath: '/var/lib/mysql',
      credentialEnv: [
        { name: 'MYSQL_USER', key: 'username' },
        { name: 'MYSQL_PASSWORD', key: 'password' },
        { name: 'MYSQL_ROOT_PASSWORD', key: 'root-password' },
      ],
    },
    mongodb: {
      image: 'mongo:7',
      port: 27017,
      dataPath: '/data/db',
      credentialEnv: [
        { name: 'MONGO_INITDB_ROOT_USERNAME', key: 'username' },
        { name: 'MONGO_INITDB_ROOT_PASSWORD', key: 'password' },
      ],
    },
  },
  queue: {
    rabbitmq: {
      image: 'rabbitmq:3.13',
      port: 5672,
      dataPath: '/var/lib/rabbitmq',
      credentialEnv: [
        { name: 'RABBITMQ_DEFAULT_USER', key: 'username' },
        { name: 'RABBITMQ_DEFAULT_PASS', key: 'password' },
      ],
    },
    nats: { image: 'nats:2.10', port: 4222, dataPath: '/data' },
  },
  cache: {
    redis: { image: 'redis:7.4', port: 6379 },
    memcached: { image: 'memcached:1.6', port: 11211 },
  },
};
const DEFAULT_ENGINE: Partial<Record<NodeType, string>> = {
  database: 'postgres',
  queue: 'rabbitmq',
  cache: 'redis',
};

export interface Component {
  node: GraphNode;
  type: NodeType;
  name: string;
  config: NodeConfig;
  engine?: Engine;
  port?: number;
  image?: string;
}

export interface Connection {
  source: Component;
  target: Component;
  path?: string;
}

export interface ResolvedGraph {
  components: Component[];
  byId: Map<string, Component>;
  connections: Connection[];
}

function engineOf(node: GraphNode): Engine | undefined {
  const family = ENGINES[node.type];
  if (!family) return undefined;
  const engineName = node.config?.engine ?? DEFAULT_ENGINE[node.type]!;
  const engine = family[engineName];
  if (!engine) {
    throw new GeneratorInputError(
      `Node "${node.id}": unknown ${node.type} engine "${engineName}" (known: ${Object.keys(family).join(', ')})`,
    );
  }
  const version = node.config?.version;
  const image = version ? `${engine.image.split(':')[0]}:${version}` : engine.image;
  return { ...engine, image };
}

/** A graph that passed the schema but names something the generator cannot build. */
export class GeneratorInputError extends Error {}

export function resolveGraph(graph: Graph): ResolvedGraph {
  const byId = new Map<string, Component>();
  for (const node of graph.nodes) {
    const config = node.config ?? {};
    const name = resourceName(node);
    const engine = engineOf(node);
    const component: Component = { node, type: node.type, name, config, engine };
    if (node.type === 'service') {
      component.port = config.port ?? 8080;
      component.image = config.image ?? `${name}:latest`;
    } else if (engine) {
      component.port = config.port ?? engine.port;
      component.image = config.image ?? engine.image;
    } else if (node.type === 'cronjob') {
      component.image = config.image ?? `${name}:latest`;
    }
    byId.set(node.id, component);
  }
  const seen = new Set<string>();
  const connections: Connection[] = [];
  for (const edge of graph.edges as GraphEdge[]) {
    let source = byId.get(edge.source)!;
    let target = byId.get(edge.target)!;
    // Config drawn towards its consumer means the same as the consumer pointing at it.
    if (source.type === 'configmap' || source.type === 'secret')
      [source, target] = [target, source];
    const key = `${source.name}>${target.name}>${edge.path ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    connections.push({ source, target, path: edge.path });
  }
  const byName = (a: Component, b: Component) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  connections.sort(
    (a, b) =>
      byName(a.source, b.source) ||
      byName(a.target, b.target) ||
      (a.path ?? '').localeCompare(b.path ?? ''),
  );
  return { components: [...byId.values()].sort(byName), byId, connections };
}

export function outgoing(graph: ResolvedGraph, component: Component): Connection[] {
  return graph.connections.filter((c) => c.source === component);
}

export function incoming(graph: ResolvedGraph, component: Component): Connection[] {
  return graph.connections.filter((c) => c.target === component);
}

/** `orders-db` → `ORDERS_DB`: the prefix of the env vars a consumer gets for a connection. */
export function envPrefix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

export function credentialsSecretName(component: Component): string {
  return `${component.name}-credentials`;
}
