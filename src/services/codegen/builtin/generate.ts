import { stringify } from 'yaml';
import type { Graph, NodeType } from '../graph';
import { renderAutoscaler, renderConfigMap, renderIngress } from './config-objects';
import { type Component, type Kube, resolveGraph } from './model';
import { componentPolicy, namespacePolicies } from './network';
import {
  type RenderContext,
  renderCache,
  renderCronJob,
  renderService,
  renderStateful,
} from './workloads';

/**
 * The built-in generator: a graph in, Kubernetes manifests out, with no I/O and no clock, so
 * the same input always gives the same bytes. It is a generator function so the job runner
 * can publish each progress step through the same channel as a KubeRAG job.
 */

export interface GeneratedFile {
  path: string;
  content: string;
}

export interface Progress {
  step: string;
  /** 0–100. */
  progress: number;
}

export interface GenerateOptions {
  /** The project's name: app.kubernetes.io/part-of, and the namespace unless one is given. */
  project: string;
  namespace?: string;
}

const RENDERERS: Record<NodeType, ((ctx: RenderContext, c: Component) => Kube[]) | undefined> = {
  service: renderService,
  database: renderStateful,
  queue: renderStateful,
  cache: renderCache,
  cronjob: renderCronJob,
  ingress: renderIngress,
  configmap: renderConfigMap,
  autoscaler: renderAutoscaler,
  // Secrets are references only: consumers point at a Secret the operator creates.
  secret: undefined,
};
const POD_TYPES: ReadonlySet<NodeType> = new Set([
  'service',
  'database',
  'queue',
  'cache',
  'cronjob',
]);

/** A DNS-1123 label from free text, for the namespace and part-of label. */
export function dnsLabel(text: string, fallback = 'app'): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || fallback;
}

/** YAML 1.1 quoting, because Kubernetes' parser still reads `yes`/`on` as booleans. */
export function toYaml(objects: Kube[]): string {
  return objects
    .map((o) => stringify(o, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}

export function* generateManifests(
  graph: Graph,
  options: GenerateOptions,
): Generator<Progress, GeneratedFile[]> {
  yield { step: 'Resolving components', progress: 5 };
  const resolved = resolveGraph(graph);
  const partOf = dnsLabel(options.project);
  const ctx: RenderContext = { graph: resolved, partOf };
  const files: GeneratedFile[] = [];
  const rendered = resolved.components.filter((c) => RENDERERS[c.type]);
  // Progress is reported in steps of at least 5 points: a 500-node graph is ~20 updates.
  let reported = 5;
  for (const [i, component] of rendered.entries()) {
    const progress = 10 + Math.floor((75 * i) / Math.max(1, rendered.length));
    if (progress >= reported + 5) {
      reported = progress;
      yield { step: `Rendering ${component.type} ${component.name}`, progress };
    }
    const objects = RENDERERS[component.type]!(ctx, component);
    if (POD_TYPES.has(component.type)) objects.push(...componentPolicy(ctx, component));
    files.push({ path: `${component.type}-${component.name}.yaml`, content: toYaml(objects) });
  }
  yield { step: 'Writing network policies', progress: 88 };
  files.push({ path: 'namespace-policies.yaml', content: toYaml(namespacePolicies(partOf)) });
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  yield { step: 'Writing kustomization', progress: 95 };
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: dnsLabel(options.namespace ?? options.project),
    resources: files.map((f) => f.path),
  };
  files.push({ path: 'kustomization.yaml', content: toYaml([kustomization]) });
  return files;
}

/** Runs the generator to completion, for callers that do not report progress. */
export function generateAll(graph: Graph, options: GenerateOptions): GeneratedFile[] {
  const run = generateManifests(graph, options);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}
