import { type Component, type Kube, outgoing } from './model';
import { labels, type RenderContext } from './workloads';

/** Renders the components without pods: ingress, configmap, autoscaler. */

/** ingress: one rule for the host, one path per edge to a service (sorted, so stable). */
export function renderIngress(ctx: RenderContext, component: Component): Kube[] {
  const paths = outgoing(ctx.graph, component)
    .map((c) => ({ path: c.path ?? '/', service: c.target }))
    .sort((a, b) => (a.path === b.path ? 0 : a.path < b.path ? -1 : 1))
    .map(({ path, service }) => ({
      path,
      pathType: 'Prefix',
      backend: { service: { name: service.name, port: { number: service.port } } },
    }));
  const host = component.config.host;
  const rule: Kube = host ? { host, http: { paths } } : { http: { paths } };
  const spec: Kube = { ingressClassName: component.config.className ?? 'nginx', rules: [rule] };
  if (host && component.config.tlsSecretName) {
    spec.tls = [{ hosts: [host], secretName: component.config.tlsSecretName }];
  }
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: component.name, labels: labels(ctx, component) },
      spec,
    },
  ];
}

export function renderConfigMap(ctx: RenderContext, component: Component): Kube[] {
  const data = component.config.data ?? {};
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(data).sort()) sorted[key] = data[key]!;
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: component.name, labels: labels(ctx, component) },
      data: sorted,
    },
  ];
}

/** autoscaler: a HorizontalPodAutoscaler on the one service it points at. */
export function renderAutoscaler(ctx: RenderContext, component: Component): Kube[] {
  const [target] = outgoing(ctx.graph, component);
  const { minReplicas = 1, maxReplicas = 5, targetCPUUtilization = 80 } = component.config;
  return [
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: component.name, labels: labels(ctx, component) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target!.target.name },
        minReplicas,
        maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: targetCPUUtilization },
            },
          },
        ],
      },
    },
  ];
}
