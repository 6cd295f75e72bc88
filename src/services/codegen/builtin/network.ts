import { NETWORK_TARGET_TYPES } from '../graph';
import { type Component, incoming, type Kube, outgoing } from './model';
import { labels, type RenderContext, selector } from './workloads';

/**
 * Network isolation: the namespace denies all traffic by default, and each component's policy
 * opens exactly the connections drawn in the graph (plus DNS, without which no drawn
 * connection could be resolved by name).
 */

const DEFAULT_CONTROLLER_NAMESPACE = 'ingress-nginx';

export function namespacePolicies(partOf: string): Kube[] {
  const meta = (name: string) => ({
    name,
    labels: { 'app.kubernetes.io/part-of': partOf, 'app.kubernetes.io/managed-by': 'kubegram' },
  });
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny-all'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-dns'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
                },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    },
  ];
}

/** The policy of one pod-running component, or nothing when no connection touches it. */
export function componentPolicy(ctx: RenderContext, component: Component): Kube[] {
  const ingress: Kube[] = [];
  for (const { source } of incoming(ctx.graph, component)) {
    const ports = [{ protocol: 'TCP', port: component.port }];
    if (source.type === 'ingress') {
      const ns = source.config.controllerNamespace ?? DEFAULT_CONTROLLER_NAMESPACE;
      ingress.push({
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }],
        ports,
      });
    } else if (source.type === 'service' || source.type === 'cronjob') {
      ingress.push({ from: [{ podSelector: { matchLabels: selector(source) } }], ports });
    }
  }
  const egress: Kube[] = outgoing(ctx.graph, component)
    .filter(({ target }) => NETWORK_TARGET_TYPES.has(target.type))
    .map(({ target }) => ({
      to: [{ podSelector: { matchLabels: selector(target) } }],
      ports: [{ protocol: 'TCP', port: target.port }],
    }));
  if (ingress.length === 0 && egress.length === 0) return [];
  const spec: Kube = {
    podSelector: { matchLabels: selector(component) },
    policyTypes: [] as string[],
  };
  if (ingress.length > 0) {
    (spec.policyTypes as string[]).push('Ingress');
    spec.ingress = ingress;
  }
  if (egress.length > 0) {
    (spec.policyTypes as string[]).push('Egress');
    spec.egress = egress;
  }
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${component.name}-connections`, labels: labels(ctx, component) },
      spec,
    },
  ];
}
