import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { generateAll, generateManifests } from '../../src/services/codegen/builtin/generate';
import { planManifests } from '../../src/services/codegen/builtin/plan';
import { type Graph, parseGraph } from '../../src/services/codegen/graph';
import { kubeProblems } from './kube-schema';

const GOLDEN = join(import.meta.dir, 'golden', 'shop');
const shopInput = JSON.parse(readFileSync(join(GOLDEN, 'graph.json'), 'utf8'));

function valid(input: unknown, maxNodes?: number): Graph {
  const parsed = parseGraph(input, maxNodes);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
  return parsed.data;
}

function objectsOf(files: Array<{ path: string; content: string }>) {
  return files.flatMap((f) =>
    parseAllDocuments(f.content).map((d) => ({ file: f.path, object: d.toJS() as any })),
  );
}

/** Every node type and engine, including the ones the golden example does not use. */
const everything = {
  nodes: [
    { id: 'gw', type: 'ingress' },
    { id: 'svc', type: 'service' },
    { id: 'w', type: 'cronjob', name: 'worker' },
    { id: 'my', type: 'database', name: 'legacy', config: { engine: 'mysql' } },
    { id: 'mg', type: 'database', name: 'docs', config: { engine: 'mongodb', version: '7.0.14' } },
    { id: 'nt', type: 'queue', name: 'bus', config: { engine: 'nats' } },
    { id: 'mc', type: 'cache', name: 'memo', config: { engine: 'memcached', replicas: 2 } },
    { id: 'c', type: 'configmap', name: 'settings' },
    { id: 's', type: 'secret', name: 'tokens' },
    { id: 'a', type: 'autoscaler', name: 'svc-hpa' },
  ],
  edges: [
    { source: 'gw', target: 'svc' },
    { source: 'svc', target: 'my' },
    { source: 'svc', target: 'mg' },
    { source: 'svc', target: 'nt' },
    { source: 'svc', target: 'mc' },
    { source: 'w', target: 'nt' },
    { source: 'w', target: 'c' },
    { source: 's', target: 'w' },
    { source: 'a', target: 'svc' },
  ],
};

describe('built-in generator output', () => {
  test('matches the golden example byte for byte', () => {
    const files = generateAll(valid(shopInput), { project: 'Shop' });
    if (process.env.UPDATE_GOLDEN === '1') {
      for (const f of files) writeFileSync(join(GOLDEN, f.path), f.content);
    }
    const goldenFiles = readdirSync(GOLDEN)
      .filter((name) => name.endsWith('.yaml'))
      .sort();
    expect(files.map((f) => f.path).sort()).toEqual(goldenFiles);
    for (const f of files) expect(f.content).toBe(readFileSync(join(GOLDEN, f.path), 'utf8'));
  });

  test('every generated object is valid against the Kubernetes OpenAPI schemas', () => {
    for (const input of [shopInput, everything]) {
      const files = generateAll(valid(input), { project: 'Any Project' });
      const objects = objectsOf(files).filter((o) => o.object.kind !== 'Kustomization');
      expect(objects.length).toBeGreaterThan(5);
      for (const { object } of objects) expect(kubeProblems(object)).toEqual([]);
    }
  });

  test('the schema check itself catches a misspelt field and a wrong type', () => {
    const files = generateAll(valid(shopInput), { project: 'Shop' });
    const deployment = objectsOf(files).find((o) => o.object.kind === 'Deployment')!.object;
    deployment.spec.template.spec.containers[0].imagePullPolcy = 'Always';
    deployment.spec.replicas = 'three';
    const problems = kubeProblems(deployment).join('\n');
    expect(problems).toContain('imagePullPolcy: unknown field');
    expect(problems).toContain('replicas must be integer');
  });

  test('the same graph in another order gives the same bytes', () => {
    const shuffled = {
      nodes: [...shopInput.nodes].reverse(),
      edges: [...shopInput.edges].reverse(),
    };
    const a = generateAll(valid(shopInput), { project: 'Shop' });
    const b = generateAll(valid(shuffled), { project: 'Shop' });
    expect(b).toEqual(a);
  });

  test('one file per component plus namespace policies, all listed in the kustomization', () => {
    const files = generateAll(valid(everything), { project: 'Demo App', namespace: 'demo' });
    const kustomization = objectsOf(files).find((o) => o.object.kind === 'Kustomization')!.object;
    expect(kustomization.namespace).toBe('demo');
    const others = files.map((f) => f.path).filter((p) => p !== 'kustomization.yaml');
    expect(kustomization.resources).toEqual(others);
    // Every node but the secret (a reference only) has its own file, plus namespace policies.
    const withoutSecret = everything.nodes.length - 1;
    expect(others.length).toBe(withoutSecret + 1);
    expect(others).toContain('database-legacy.yaml');
    expect(others).not.toContain('secret-tokens.yaml');
  });

  test('network policies allow exactly the drawn connections, after a default deny', () => {
    const files = generateAll(valid(shopInput), { project: 'Shop' });
    const policies = objectsOf(files)
      .map((o) => o.object)
      .filter((o) => o.kind === 'NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name === 'default-deny-all')!;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const allowedIn = new Set<string>();
    const allowedOut = new Set<string>();
    for (const p of policies) {
      const self = p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'];
      if (!self) continue;
      for (const rule of p.spec.ingress ?? []) {
        const from = rule.from[0].podSelector?.matchLabels['app.kubernetes.io/name'] ?? 'ingress';
        allowedIn.add(`${from}>${self}:${rule.ports[0].port}`);
      }
      for (const rule of p.spec.egress ?? []) {
        const to = rule.to[0].podSelector.matchLabels['app.kubernetes.io/name'];
        allowedOut.add(`${self}>${to}:${rule.ports[0].port}`);
      }
    }
    expect([...allowedIn].sort()).toEqual([
      'api>events:5672',
      'api>orders-db:5432',
      'api>session-cache:6379',
      'frontend>api:3000',
      'ingress>api:3000',
      'ingress>frontend:80',
      'nightly-report>orders-db:5432',
    ]);
    expect([...allowedOut].sort()).toEqual([
      'api>events:5672',
      'api>orders-db:5432',
      'api>session-cache:6379',
      'frontend>api:3000',
      'nightly-report>orders-db:5432',
    ]);
  });

  test('edges become service-discovery env vars on the source only', () => {
    const objects = objectsOf(generateAll(valid(shopInput), { project: 'Shop' })).map(
      (o) => o.object,
    );
    const envOf = (name: string) => {
      const o = objects.find(
        (x) => x.metadata.name === name && x.kind !== 'Service' && x.kind !== 'NetworkPolicy',
      );
      const spec =
        o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
      return Object.fromEntries(
        (spec.containers[0].env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]),
      );
    };
    expect(envOf('frontend')).toEqual({
      API_HOST: 'api',
      API_PORT: '3000',
      API_URL: 'http://api:3000',
    });
    expect(envOf('nightly-report').ORDERS_DB_HOST).toBe('orders-db');
    expect(envOf('nightly-report').SESSION_CACHE_HOST).toBeUndefined();
    expect(envOf('api').SESSION_CACHE_URL).toBe('redis://session-cache:6379');
    expect(envOf('api').PAYMENT_KEYS_STRIPE_KEY).toEqual({
      secretKeyRef: { name: 'payment-keys', key: 'stripe-key' },
    });
  });

  test('secret values sent in a graph never reach the output', () => {
    const input = structuredClone(everything) as any;
    input.nodes.find((n: any) => n.id === 's').config = {
      keys: ['api-token'],
      data: { 'api-token': 'sk_live_DO_NOT_LEAK' },
      value: 'sk_live_DO_NOT_LEAK',
    };
    const files = generateAll(valid(input), { project: 'x' });
    expect(files.map((f) => f.content).join('\n')).not.toContain('DO_NOT_LEAK');
  });

  test('progress steps rise to the end and the generator is free of side effects', () => {
    const run = generateManifests(valid(shopInput), { project: 'Shop' });
    const seen: number[] = [];
    for (let next = run.next(); !next.done; next = run.next()) seen.push(next.value.progress);
    expect(seen.length).toBeGreaterThan(4);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.at(-1)!).toBeLessThan(100);
  });

  test('a plan lists resources in rollout order and the secrets to create', () => {
    const run = planManifests(valid(shopInput), { project: 'Shop' });
    let next = run.next();
    while (!next.done) next = run.next();
    const plan = next.value;
    expect(plan.namespace).toBe('shop');
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Prepare the namespace and secrets',
      'Apply configuration',
      'Deploy stateful components',
      'Deploy services',
      'Schedule jobs',
      'Restrict traffic',
      'Expose',
      'Autoscale',
    ]);
    expect(plan.requiredSecrets).toEqual([
      { name: 'events-credentials', keys: ['password', 'username'] },
      { name: 'orders-db-credentials', keys: ['password', 'username'] },
      { name: 'payment-keys', keys: ['stripe-key', 'webhook-secret'] },
    ]);
    expect(plan.resources).toContainEqual({
      kind: 'StatefulSet',
      name: 'orders-db',
      file: 'database-orders-db.yaml',
    });
  });
});

describe('graph validation', () => {
  const issuesOf = (input: unknown, maxNodes?: number) => {
    const parsed = parseGraph(input, maxNodes);
    expect(parsed.success).toBe(false);
    return parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  test('duplicate ids, dangling edges and self loops are named by path', () => {
    const issues = issuesOf({
      nodes: [
        { id: 'a', type: 'service' },
        { id: 'a', type: 'database' },
      ],
      edges: [
        { source: 'a', target: 'ghost' },
        { source: 'nobody', target: 'a' },
        { source: 'a', target: 'a' },
      ],
    });
    expect(issues).toEqual([
      'nodes.1.id: Duplicate node id "a"',
      'edges.0.target: No node with id "ghost"',
      'edges.1.source: No node with id "nobody"',
      'edges.2: A node cannot connect to itself',
    ]);
  });

  test('unknown node types and malformed settings are refused', () => {
    const issues = issuesOf({
      nodes: [
        { id: 'a', type: 'mainframe' },
        { id: 'b', type: 'service', config: { port: 70000, image: 'Bad Image' } },
      ],
    });
    expect(issues.some((i) => i.startsWith('nodes.0.type'))).toBe(true);
    expect(issues.some((i) => i.startsWith('nodes.1.config.port'))).toBe(true);
    expect(issues.some((i) => i.startsWith('nodes.1.config.image'))).toBe(true);
  });

  test('the node limit is enforced', () => {
    const nodes = Array.from({ length: 4 }, (_, i) => ({ id: `n${i}`, type: 'service' }));
    expect(parseGraph({ nodes, edges: [] }, 4).success).toBe(true);
    expect(issuesOf({ nodes, edges: [] }, 3)).toEqual(['nodes: At most 3 nodes']);
    expect(parseGraph({ nodes: [], edges: [] }).success).toBe(false);
  });

  test('connections that mean nothing in Kubernetes are refused', () => {
    const issues = issuesOf({
      nodes: [
        { id: 'db', type: 'database' },
        { id: 'svc', type: 'service' },
        { id: 'in', type: 'ingress' },
        { id: 'hpa', type: 'autoscaler' },
      ],
      edges: [
        { source: 'db', target: 'svc' },
        { source: 'in', target: 'db' },
      ],
    });
    expect(issues).toContain(
      'edges.0: Invalid edge: a database does not open connections; draw the edge from the component that uses it',
    );
    expect(issues).toContain('edges.1: Invalid edge: an ingress can only route to a service');
    expect(issues).toContain(
      'nodes.3: An autoscaler needs exactly one edge to the service it scales',
    );
  });

  test('two nodes that would get the same Kubernetes name are refused', () => {
    const issues = issuesOf({
      nodes: [
        { id: '1', type: 'service', name: 'Orders API' },
        { id: '2', type: 'service', name: 'orders_api' },
      ],
    });
    expect(issues).toEqual([
      'nodes.1.name: Resource name "orders-api" is already used by node "1"',
    ]);
  });

  test('UI-only fields on nodes are kept for the stored graph', () => {
    const graph = valid(shopInput);
    expect(graph.nodes.find((n) => n.id === 'api')!.position).toEqual({ x: 10, y: 20 });
  });
});
