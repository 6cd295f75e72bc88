import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ENV_VARIABLES, loadConfig } from '../../src/config';
import { kubeProblems } from '../codegen/kube-schema';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { parseDockerfile, ROOT, readRepoFile } from './dockerfile';
import { configProblems, dummySecret, SHUTDOWN_DEFAULTS_MS, unknownVariables } from './environment';
import { requireTool } from './tools';

/**
 * deploy/kubernetes: the base and the production overlay, rendered by `kubectl kustomize`,
 * each object validated against the Kubernetes schemas, and the Deployment held to what the
 * server needs (probes on its real health routes, a grace period covering its drain, an
 * environment src/config.ts knows and accepts in production).
 */

const OVERLAYS = ['deploy/kubernetes/base', 'deploy/kubernetes/overlays/production'];
const hasKubectl = requireTool('kubectl', 'rendering deploy/kubernetes with kubectl kustomize');

function render(dir: string): any[] {
  const result = spawnSync('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir}: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => doc.toJS());
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Seconds a preStop hook holds the pod before SIGTERM (sleep action or `sleep N`). */
function preStopSeconds(container: any): number {
  const preStop = container.lifecycle?.preStop;
  if (!preStop) return 0;
  if (preStop.sleep) return preStop.sleep.seconds;
  const command: string[] = preStop.exec?.command ?? [];
  const sleep = /\bsleep\s+(\d+)/.exec(command.join(' '));
  if (sleep) return Number(sleep[1]);
  throw new Error(`preStop ${JSON.stringify(preStop)}: cannot tell how long it takes`);
}

let t: TestApp;
beforeAll(async () => {
  if (hasKubectl) t = await createTestApp();
});
afterAll(() => t?.close());

/** Variables whose values are credentials: never in the ConfigMap. */
const SECRET_LOOKING = /SECRET|PASSWORD|TOKEN|ENCRYPTION_KEY|DATABASE_URL|REDIS_URL|SMTP_URL/;

for (const dir of OVERLAYS)
  describe.skipIf(!hasKubectl)(dir, () => {
    const objects = hasKubectl ? render(dir) : [];
    const one = (kind: string) => {
      const found = objects.filter((o) => o.kind === kind);
      expect(found.length).toBe(1);
      return found[0];
    };
    const deployment = () => one('Deployment');
    const pod = () => deployment().spec.template;
    const container = () => pod().spec.containers[0];
    const configMap = () => one('ConfigMap');
    const portNames = () => container().ports.map((p: any) => p.name);

    test('every object is valid against the Kubernetes schemas', () => {
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
        'ConfigMap/kubegram-config',
        'Deployment/kubegram-server',
        'HorizontalPodAutoscaler/kubegram-server',
        'Ingress/kubegram-server',
        'NetworkPolicy/kubegram-server',
        'PodDisruptionBudget/kubegram-server',
        'Service/kubegram-server',
        'ServiceAccount/kubegram-server',
      ]);
      expect(objects.flatMap((o) => kubeProblems(o))).toEqual([]);
    });

    test('Deployment: 2+ replicas, rolling without losing capacity, the image user, locked down', () => {
      const spec = deployment().spec;
      expect(spec.replicas).toBeGreaterThanOrEqual(2);
      expect(matches(spec.selector.matchLabels, pod().metadata.labels)).toBe(true);
      expect(spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      const user = parseDockerfile(readRepoFile('Dockerfile'))
        .at(-1)!
        .instructions.filter((i) => i.keyword === 'USER')
        .at(-1)!.args;
      expect(pod().spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: Number(user.split(':')[0]),
      });
      expect(container().securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      // A read-only root needs a writable /tmp.
      const tmp = container().volumeMounts.find((m: any) => m.mountPath === '/tmp');
      expect(pod().spec.volumes.find((v: any) => v.name === tmp?.name)?.emptyDir).toBeDefined();
      expect(structuredClone(container().resources.requests)).toMatchObject({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
      expect(container().resources.limits.memory).toBeDefined();
      const spread = pod().spec.topologySpreadConstraints;
      expect(spread.length).toBeGreaterThan(0);
      for (const c of spread)
        expect(matches(c.labelSelector.matchLabels, pod().metadata.labels)).toBe(true);
      if (dir.includes('overlays')) expect(container().image).toMatch(/^[^:]+\/[^:]+:[\w.-]+$/);
    });

    test('probes: startup and liveness on /live, readiness on /ready, routes the app serves', async () => {
      const probes = {
        startupProbe: '/api/public/v1/healthz/live',
        livenessProbe: '/api/public/v1/healthz/live',
        readinessProbe: '/api/public/v1/healthz/ready',
      };
      for (const [probe, path] of Object.entries(probes)) {
        const httpGet = container()[probe]?.httpGet;
        expect({ probe, path: httpGet?.path }).toEqual({ probe, path });
        expect(portNames()).toContain(httpGet.port);
        expect({ probe, status: (await t.request(path)).status }).toEqual({ probe, status: 200 });
      }
    });

    test('terminationGracePeriodSeconds covers preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS', () => {
      const configured = (name: keyof typeof SHUTDOWN_DEFAULTS_MS) =>
        Number(configMap().data[name] ?? SHUTDOWN_DEFAULTS_MS[name]);
      const needed =
        preStopSeconds(container()) +
        (configured('SHUTDOWN_DELAY_MS') + configured('SHUTDOWN_TIMEOUT_MS')) / 1000;
      expect(pod().spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(needed);
    });

    test('Service, Ingress, HPA and PDB point at the Deployment', () => {
      const service = one('Service');
      expect(matches(service.spec.selector, pod().metadata.labels)).toBe(true);
      expect(portNames()).toContain(service.spec.ports[0].targetPort);
      const ingress = one('Ingress');
      const backend = ingress.spec.rules[0].http.paths[0].backend.service;
      expect(backend.name).toBe(service.metadata.name);
      expect(service.spec.ports.map((p: any) => p.name)).toContain(backend.port.name);
      expect(ingress.spec.tls[0].hosts).toEqual([ingress.spec.rules[0].host]);
      // WebSockets idle between pings: the proxy must wait well past a ping interval.
      const pingSeconds = loadConfig({ NODE_ENV: 'test' }).codegen.wsPingIntervalMs / 1000;
      for (const name of ['proxy-read-timeout', 'proxy-send-timeout']) {
        const value = Number(ingress.metadata.annotations[`nginx.ingress.kubernetes.io/${name}`]);
        expect({ name, longEnough: value >= 10 * pingSeconds }).toEqual({ name, longEnough: true });
      }
      const hpa = one('HorizontalPodAutoscaler');
      expect(hpa.spec.scaleTargetRef).toMatchObject({
        kind: 'Deployment',
        name: deployment().metadata.name,
      });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(deployment().spec.replicas);
      const pdb = one('PodDisruptionBudget');
      expect(matches(pdb.spec.selector.matchLabels, pod().metadata.labels)).toBe(true);
      expect(pdb.spec.maxUnavailable).toBeLessThan(hpa.spec.minReplicas);
    });

    test('NetworkPolicy: in from the ingress controller; out to DNS, PostgreSQL, Redis, KubeRAG, identity providers', () => {
      const policy = one('NetworkPolicy');
      expect(matches(policy.spec.podSelector.matchLabels, pod().metadata.labels)).toBe(true);
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      const fromNamespaces = policy.spec.ingress.flatMap((rule: any) =>
        rule.from.map(
          (peer: any) => peer.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'],
        ),
      );
      expect(fromNamespaces).toContain('ingress-nginx');
      for (const rule of policy.spec.ingress) {
        for (const port of rule.ports) expect(portNames()).toContain(port.port);
      }
      const egress = policy.spec.egress.flatMap((rule: any) =>
        rule.ports.map((p: any) => `${p.protocol}/${p.port}`),
      );
      for (const port of [
        'UDP/53',
        'TCP/53',
        'TCP/5432',
        'TCP/6379',
        'TCP/26379',
        'TCP/8665',
        'TCP/443',
      ]) {
        expect(egress).toContain(port);
      }
    });

    test('environment: every variable is known to src/config.ts, secrets come from the Secret, and production accepts it', () => {
      const env: any[] = container().env;
      const envFrom: any[] = container().envFrom;
      // Keys of a whole Secret (envFrom secretRef) cannot be checked: each is referenced by name.
      expect(envFrom.filter((source) => source.secretRef)).toEqual([]);
      const mapNames = envFrom.map((source) => source.configMapRef.name);
      expect(mapNames).toEqual([configMap().metadata.name]);
      const fromConfigMap: Record<string, string> = configMap().data;
      const names = [...Object.keys(fromConfigMap), ...env.map((e) => e.name)];
      expect(unknownVariables(names)).toEqual([]);
      expect(Object.keys(fromConfigMap).filter((k) => SECRET_LOOKING.test(k))).toEqual([]);

      // What production requires, as loadConfig says it: each of those must be set, the
      // secret ones through a (non-optional) Secret reference.
      const required = ENV_VARIABLES.filter((name) =>
        configProblems({ NODE_ENV: 'production' }).some((problem) =>
          problem.startsWith(`${name} `),
        ),
      );
      expect(required).toContain('JWT_SECRET');
      const secretRefs = new Map(
        env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom.secretKeyRef]),
      );
      for (const name of required) {
        if (SECRET_LOOKING.test(name)) {
          expect({
            name,
            optional: secretRefs.get(name)?.optional ?? false,
            ref: secretRefs.has(name),
          }).toEqual({ name, optional: false, ref: true });
        } else expect(names).toContain(name);
      }
      // Several replicas need the shared PostgreSQL and Redis, not a per-pod embedded database.
      for (const name of ['DATABASE_URL', 'REDIS_URL'])
        expect(secretRefs.get(name)?.optional ?? false).toBe(false);
      expect([...secretRefs.keys()]).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL']));

      const dummies: Record<string, string> = {
        DATABASE_URL: 'postgres://kubegram:x@postgres.example:5432/kubegram',
        REDIS_URL: 'redis://redis.example:6379/0',
      };
      const running: Record<string, string> = { ...fromConfigMap };
      for (const e of env) {
        if (e.value !== undefined) running[e.name] = e.value;
        else if (e.valueFrom?.secretKeyRef && !e.valueFrom.secretKeyRef.optional) {
          running[e.name] = dummies[e.name] ?? dummySecret();
        }
      }
      expect(running.NODE_ENV).toBe('production');
      expect(configProblems(running)).toEqual([]);
    });
  });
