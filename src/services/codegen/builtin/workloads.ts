import {
  type Component,
  credentialsSecretName,
  envPrefix,
  type Kube,
  outgoing,
  type ResolvedGraph,
} from './model';

/** Renders the pod-running components: services, stateful engines, caches and cron jobs. */

export interface RenderContext {
  graph: ResolvedGraph;
  /** app.kubernetes.io/part-of on every object. */
  partOf: string;
}

export function labels(ctx: RenderContext, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': component.name,
    'app.kubernetes.io/component': component.type,
    'app.kubernetes.io/part-of': ctx.partOf,
    'app.kubernetes.io/managed-by': 'kubegram',
  };
}

export function selector(component: Component): Record<string, string> {
  return { 'app.kubernetes.io/name': component.name };
}

function metadata(ctx: RenderContext, component: Component, name = component.name): Kube {
  return { name, labels: labels(ctx, component) };
}

type EnvVar = Kube & { name: string };

/** Service discovery: what a consumer needs to reach each component it is connected to. */
export function connectionEnv(
  ctx: RenderContext,
  component: Component,
): { env: EnvVar[]; envFrom: Kube[] } {
  const env: EnvVar[] = [];
  const envFrom: Kube[] = [];
  for (const { target } of outgoing(ctx.graph, component)) {
    const prefix = envPrefix(target.name);
    if (target.type === 'configmap') {
      envFrom.push({ configMapRef: { name: target.name } });
      continue;
    }
    if (target.type === 'secret') {
      const keys = target.config.keys ?? [];
      if (keys.length === 0) envFrom.push({ secretRef: { name: target.name } });
      for (const key of [...keys].sort()) {
        env.push({
          name: `${prefix}_${envPrefix(key)}`,
          valueFrom: { secretKeyRef: { name: target.name, key } },
        });
      }
      continue;
    }
    env.push({ name: `${prefix}_HOST`, value: target.name });
    env.push({ name: `${prefix}_PORT`, value: String(target.port) });
    if (target.type === 'service') {
      env.push({ name: `${prefix}_URL`, value: `http://${target.name}:${target.port}` });
    } else if (target.type === 'cache' && target.engine?.image.startsWith('redis')) {
      env.push({ name: `${prefix}_URL`, value: `redis://${target.name}:${target.port}` });
    }
    if (target.engine?.credentialEnv) {
      for (const key of ['username', 'password']) {
        env.push({
          name: `${prefix}_${key.toUpperCase()}`,
          valueFrom: { secretKeyRef: { name: credentialsSecretName(target), key } },
        });
      }
    }
  }
  return { env, envFrom };
}

function ownEnv(component: Component): EnvVar[] {
  return Object.keys(component.config.env ?? {})
    .sort()
    .map((name) => ({ name, value: component.config.env![name]! }));
}

function resources(component: Component): Kube {
  const r = component.config.resources;
  return {
    requests: { cpu: r?.requests?.cpu ?? '100m', memory: r?.requests?.memory ?? '128Mi' },
    limits: {
      memory: r?.limits?.memory ?? '256Mi',
      ...(r?.limits?.cpu ? { cpu: r.limits.cpu } : {}),
    },
  };
}

function container(ctx: RenderContext, component: Component, extraEnv: EnvVar[] = []): Kube {
  const { env, envFrom } = connectionEnv(ctx, component);
  const allEnv = [...extraEnv, ...ownEnv(component), ...env];
  const out: Kube = { name: component.name, image: component.image };
  if (component.config.command) out.command = component.config.command;
  if (component.port !== undefined) {
    out.ports = [{ name: 'main', containerPort: component.port, protocol: 'TCP' }];
  }
  if (allEnv.length > 0) out.env = allEnv;
  if (envFrom.length > 0) out.envFrom = envFrom;
  out.resources = resources(component);
  return out;
}

const SECURITY_CONTEXT = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

function serviceObject(ctx: RenderContext, component: Component, headless: boolean): Kube {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(ctx, component),
    spec: {
      ...(headless ? { clusterIP: 'None' } : { type: 'ClusterIP' }),
      selector: selector(component),
      ports: [{ name: 'main', port: component.port, targetPort: 'main', protocol: 'TCP' }],
    },
  };
}

/** service: Deployment + Service, with HTTP probes on the health path. */
export function renderService(ctx: RenderContext, component: Component): Kube[] {
  const probe = (initialDelaySeconds: number) => ({
    httpGet: { path: component.config.healthPath ?? '/healthz', port: 'main' },
    initialDelaySeconds,
    periodSeconds: 10,
  });
  const main = {
    ...container(ctx, component),
    readinessProbe: probe(5),
    livenessProbe: probe(15),
    securityContext: SECURITY_CONTEXT,
  };
  const deployment: Kube = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(ctx, component),
    spec: {
      replicas: component.config.replicas ?? 2,
      selector: { matchLabels: selector(component) },
      template: {
        metadata: { labels: labels(ctx, component) },
        spec: { containers: [main] },
      },
    },
  };
  return [deployment, serviceObject(ctx, component, false)];
}

/** cache: a Deployment + Service; it holds nothing that must survive a restart. */
export function renderCache(ctx: RenderContext, component: Component): Kube[] {
  const probe = { tcpSocket: { port: 'main' }, periodSeconds: 10 };
  const deployment: Kube = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(ctx, component),
    spec: {
      replicas: component.config.replicas ?? 1,
      selector: { matchLabels: selector(component) },
      template: {
        metadata: { labels: labels(ctx, component) },
        spec: {
          containers: [
            { ...container(ctx, component), readinessProbe: probe, livenessProbe: probe },
          ],
        },
      },
    },
  };
  return [deployment, serviceObject(ctx, component, false)];
}

/**
 * database / queue: StatefulSet with a PersistentVolumeClaim template and a headless Service.
 * Credentials come from a Secret the operator creates (`<name>-credentials`); its values never
 * appear in generated output.
 */
export function renderStateful(ctx: RenderContext, component: Component): Kube[] {
  const engine = component.engine!;
  const secret = credentialsSecretName(component);
  const credentialEnv: EnvVar[] = (engine.credentialEnv ?? []).map(({ name, key }) => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key } },
  }));
  if (engine.dataPath === '/var/lib/postgresql/data') {
    // The volume's root holds lost+found, which initdb refuses; use a subdirectory.
    credentialEnv.push({ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' });
  }
  const probe = { tcpSocket: { port: 'main' }, periodSeconds: 10 };
  const main: Kube = {
    ...container(ctx, component, credentialEnv),
    readinessProbe: probe,
    livenessProbe: { ...probe, initialDelaySeconds: 30 },
  };
  if (engine.dataPath) main.volumeMounts = [{ name: 'data', mountPath: engine.dataPath }];
  const statefulSet: Kube = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: metadata(ctx, component),
    spec: {
      serviceName: component.name,
      replicas: component.config.replicas ?? 1,
      selector: { matchLabels: selector(component) },
      template: {
        metadata: { labels: labels(ctx, component) },
        spec: { containers: [main] },
      },
      ...(engine.dataPath
        ? {
            volumeClaimTemplates: [
              {
                metadata: { name: 'data', labels: labels(ctx, component) },
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: component.config.storage ?? '10Gi' } },
                },
              },
            ],
          }
        : {}),
    },
  };
  return [statefulSet, serviceObject(ctx, component, true)];
}

/** cronjob: a CronJob whose pods get the same service discovery as a service. */
export function renderCronJob(ctx: RenderContext, component: Component): Kube[] {
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: metadata(ctx, component),
      spec: {
        schedule: component.config.schedule ?? '0 * * * *',
        concurrencyPolicy: 'Forbid',
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            template: {
              metadata: { labels: labels(ctx, component) },
              spec: {
                restartPolicy: 'OnFailure',
                containers: [{ ...container(ctx, component), securityContext: SECURITY_CONTEXT }],
              },
            },
          },
        },
      },
    },
  ];
}
