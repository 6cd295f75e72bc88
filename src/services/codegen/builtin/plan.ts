import { parseAllDocuments } from 'yaml';
import type { Graph } from '../graph';
import { type GenerateOptions, generateManifests, type Progress } from './generate';

/**
 * A planning job's result: which Kubernetes resources the graph becomes and the order to roll
 * them out in. Derived from the same manifests the generator writes, so plan and code agree.
 */

export interface PlanResource {
  kind: string;
  name: string;
  file: string;
}

export interface PlanStep {
  order: number;
  title: string;
  description: string;
  resources: string[];
}

export interface Plan {
  namespace: string;
  resources: PlanResource[];
  steps: PlanStep[];
  /** Secrets the manifests reference and the operator must create; names and keys only. */
  requiredSecrets: Array<{ name: string; keys: string[] }>;
}

const PHASES: Array<{ title: string; kinds: string[]; description: string }> = [
  {
    title: 'Apply configuration',
    kinds: ['ConfigMap'],
    description: 'Configuration the workloads read at start-up.',
  },
  {
    title: 'Deploy stateful components',
    kinds: ['StatefulSet'],
    description: 'Databases and queues first, so their consumers find them ready.',
  },
  {
    title: 'Deploy services',
    kinds: ['Deployment', 'Service'],
    description: 'Stateless workloads and the Services that give every component a stable name.',
  },
  { title: 'Schedule jobs', kinds: ['CronJob'], description: 'Recurring jobs.' },
  {
    title: 'Restrict traffic',
    kinds: ['NetworkPolicy'],
    description: 'Default-deny for the namespace, then exactly the connections drawn in the graph.',
  },
  { title: 'Expose', kinds: ['Ingress'], description: 'Route external traffic to services.' },
  {
    title: 'Autoscale',
    kinds: ['HorizontalPodAutoscaler'],
    description: 'Scale services on CPU utilisation.',
  },
];

function collectSecretRefs(value: unknown, into: Map<string, Set<string>>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectSecretRefs(item, into);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  const keyRef = record.secretKeyRef as { name: string; key: string } | undefined;
  if (keyRef) into.set(keyRef.name, (into.get(keyRef.name) ?? new Set()).add(keyRef.key));
  const ref = record.secretRef as { name: string } | undefined;
  if (ref && !into.has(ref.name)) into.set(ref.name, new Set());
  for (const child of Object.values(record)) collectSecretRefs(child, into);
}

export function* planManifests(graph: Graph, options: GenerateOptions): Generator<Progress, Plan> {
  const files = yield* generateManifests(graph, options);
  yield { step: 'Ordering the rollout', progress: 97 };
  const resources: PlanResource[] = [];
  const secrets = new Map<string, Set<string>>();
  let namespace = '';
  for (const file of files) {
    for (const doc of parseAllDocuments(file.content)) {
      const object = doc.toJS() as {
        kind: string;
        metadata?: { name: string };
        namespace?: string;
      };
      if (object.kind === 'Kustomization') {
        namespace = object.namespace ?? '';
        continue;
      }
      resources.push({ kind: object.kind, name: object.metadata?.name ?? '', file: file.path });
      collectSecretRefs(object, secrets);
    }
  }
  const requiredSecrets = [...secrets.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, keys]) => ({ name, keys: [...keys].sort() }));
  const steps: PlanStep[] = [
    {
      order: 1,
      title: 'Prepare the namespace and secrets',
      description: `Create namespace ${namespace} and the referenced Secrets (values are never generated).`,
      resources: requiredSecrets.map((s) => `Secret/${s.name}`),
    },
  ];
  for (const phase of PHASES) {
    const names = resources
      .filter((r) => phase.kinds.includes(r.kind))
      .map((r) => `${r.kind}/${r.name}`);
    if (names.length === 0) continue;
    steps.push({
      order: steps.length + 1,
      title: phase.title,
      description: phase.description,
      resources: names,
    });
  }
  return { namespace, resources, steps, requiredSecrets };
}
