import type { SharedStore } from '../../cache/shared-store';
import type { Config } from '../../config';
import type { DatabaseHandle } from '../../db/client';
import type { Clock } from '../../lib/clock';
import {
  type DiskLimits,
  databaseCheck,
  diskCheck,
  type KubeRagProbe,
  kuberagCheck,
  mailCheck,
  migrationsCheck,
  redisCheck,
  type SigningKeyList,
  signingKeyCheck,
} from './checks';

export type CheckStatus = 'ok' | 'fail' | 'disabled';

export interface CheckResult {
  status: CheckStatus;
  /** A failing required check turns the whole answer into a 503. */
  required: boolean;
  latencyMs: number;
  error?: string;
  [detail: string]: unknown;
}

export const CHECK_NAMES = [
  'database',
  'migrations',
  'redis',
  'kuberag',
  'mail',
  'disk',
  'signingKey',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface DeepHealthReport {
  status: 'ok' | 'unavailable';
  /** Required checks that failed: the reason for a 503. */
  failing: CheckName[];
  /** Checks that failed but do not stop the service (KubeRAG, mail, signing key). */
  degraded: CheckName[];
  checks: Record<CheckName, CheckResult>;
}

export interface DeepHealthDeps {
  config: Pick<Config, 'dataDir' | 'redis'> & { smtp?: { url: string } };
  database: DatabaseHandle;
  store: SharedStore;
  kuberag: KubeRagProbe;
  signingKeys: SigningKeyList;
  clock: Clock;
  /** Per check; the answer never takes much longer than this. */
  timeoutMs?: number;
  disk?: DiskLimits;
}

const DEFAULT_TIMEOUT_MS = 1500;
/** The embedded database fails below either. */
const DEFAULT_DISK_LIMITS: DiskLimits = { minFreeBytes: 100 * 1024 * 1024, minFreeRatio: 0.05 };

/** A check's message, short and single-line: never a stack, never a connection string. */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .replace(/\s+/g, ' ')
    .replace(/\w+:\/\/\S+/g, '<url>')
    .slice(0, 200);
}

/** Runs one check under a deadline; whatever happens, it yields a result. */
async function timed(
  required: boolean,
  timeoutMs: number,
  check: () => Promise<{ status: CheckStatus } & Record<string, unknown>>,
): Promise<CheckResult> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const finding = await Promise.race([check(), deadline]);
    return { required, latencyMs: elapsed(), ...finding };
  } catch (err) {
    return { status: 'fail', required, latencyMs: elapsed(), error: reason(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every dependency at once, each bounded by a timeout (product document 004's "deep" probe,
 * next to live and ready). Required: the database and its migrations, Redis when configured,
 * DATA_DIR's free space with the embedded database. Reported but not required: KubeRAG (its
 * breaker fails those jobs fast), mail (invitations still work without it), signing-key age.
 */
export async function deepHealth(deps: DeepHealthDeps): Promise<DeepHealthReport> {
  const { config, database, store } = deps;
  const ms = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const redisRequired = Boolean(config.redis);
  const [databaseResult, migrations, redis, kuberag, mail, disk, signingKey] = await Promise.all([
    timed(true, ms, () => databaseCheck(database)),
    timed(true, ms, () => migrationsCheck(database)),
    timed(redisRequired, ms, () => redisCheck(store)),
    timed(false, ms, () => kuberagCheck(deps.kuberag)),
    timed(false, ms, () => mailCheck(config.smtp?.url, ms)),
    timed(true, ms, () => diskCheck(database, config.dataDir, deps.disk ?? DEFAULT_DISK_LIMITS)),
    timed(false, ms, () => signingKeyCheck(deps.signingKeys, deps.clock.now())),
  ]);
  const checks: Record<CheckName, CheckResult> = {
    database: databaseResult,
    migrations,
    redis,
    kuberag,
    mail,
    disk,
    signingKey,
  };
  const failed = CHECK_NAMES.filter((name) => checks[name].status === 'fail');
  const failing = failed.filter((name) => checks[name].required);
  return {
    status: failing.length === 0 ? 'ok' : 'unavailable',
    failing,
    degraded: failed.filter((name) => !checks[name].required),
    checks,
  };
}
