import { readFile, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import type { SharedStore } from '../../cache/shared-store';
import type { BreakerState } from '../../clients/kuberag/circuit-breaker';
import { smtpAddress, smtpGreets } from '../../clients/mail/reachability';
import type { DatabaseHandle } from '../../db/client';

const JOURNAL = join(import.meta.dir, '../../../drizzle/meta/_journal.json');

export async function databaseCheck(database: DatabaseHandle) {
  await database.ping();
  return { status: 'ok' as const, kind: database.kind };
}

/** The journal this build ships against what `__drizzle_migrations` says was applied. */
export async function migrationsCheck(database: DatabaseHandle) {
  const journal = JSON.parse(await readFile(JOURNAL, 'utf8')) as {
    entries: Array<{ tag: string; when: number }>;
  };
  const result = await database.db.execute(
    sql`select created_at from drizzle.__drizzle_migrations`,
  );
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{
    created_at: unknown;
  }>;
  const applied = new Set(rows.map((r) => Number(r.created_at)));
  const pending = journal.entries.filter((e) => !applied.has(e.when)).map((e) => e.tag);
  return {
    status: pending.length === 0 ? ('ok' as const) : ('fail' as const),
    applied: journal.entries.length - pending.length,
    expected: journal.entries.length,
    pending,
    ...(pending.length > 0 ? { error: `${pending.length} migration(s) not applied` } : {}),
  };
}

export async function redisCheck(store: SharedStore) {
  if (store.kind === 'memory') return { status: 'disabled' as const, mode: 'memory' as const };
  // The probe's own latency (PING and ROLE) wins over the runner's measure.
  const { ok, ...found } = await store.probe();
  return { ...found, status: ok ? ('ok' as const) : ('fail' as const) };
}

export interface KubeRagProbe {
  health(): Promise<'connected' | 'unavailable' | 'disabled'>;
  breaker(): BreakerState | undefined;
}

export async function kuberagCheck(kuberag: KubeRagProbe) {
  const state = await kuberag.health();
  const breaker = kuberag.breaker();
  if (state === 'disabled') return { status: 'disabled' as const, state };
  return {
    status: state === 'connected' ? ('ok' as const) : ('fail' as const),
    state,
    breaker,
    ...(state === 'connected' ? {} : { error: `KubeRAG unavailable (breaker ${breaker})` }),
  };
}

export async function mailCheck(smtpUrl: string | undefined, timeoutMs: number) {
  if (!smtpUrl) return { status: 'disabled' as const };
  const { host, port } = smtpAddress(smtpUrl);
  await smtpGreets(smtpUrl, timeoutMs);
  return { status: 'ok' as const, host, port };
}

/** Free space is counted on the filesystem DATA_DIR is (or would be) on. */
async function nearestExisting(path: string): Promise<string> {
  let current = resolve(path);
  for (;;) {
    const found = await stat(current).then(
      () => true,
      () => false,
    );
    const parent = dirname(current);
    if (found || parent === current) return current;
    current = parent;
  }
}

export interface DiskLimits {
  minFreeBytes: number;
  minFreeRatio: number;
}

export async function diskCheck(database: DatabaseHandle, dataDir: string, limits: DiskLimits) {
  if (database.kind !== 'pglite') return { status: 'disabled' as const };
  const path = await nearestExisting(dataDir);
  const fs = await statfs(path);
  const freeBytes = fs.bavail * fs.bsize;
  const totalBytes = fs.blocks * fs.bsize;
  const freeRatio = totalBytes > 0 ? Math.round((freeBytes / totalBytes) * 1000) / 1000 : 0;
  const low = freeBytes < limits.minFreeBytes || freeRatio < limits.minFreeRatio;
  return {
    status: low ? ('fail' as const) : ('ok' as const),
    path,
    freeBytes,
    totalBytes,
    freeRatio,
    ...(low ? { error: `only ${Math.floor(freeBytes / 1048576)} MiB free` } : {}),
  };
}

export interface SigningKeyList {
  listKeys(): Promise<
    Array<{ kid: string; alg: string; createdAt: string; retiredAt: string | null }>
  >;
}

/** The active key's age, for a rotation policy; none yet is fine (made on first use). */
export async function signingKeyCheck(keys: SigningKeyList, now: number) {
  const active = (await keys.listKeys())
    .filter((k) => k.retiredAt === null)
    .sort((x, y) => y.createdAt.localeCompare(x.createdAt))[0];
  if (!active)
    return { status: 'ok' as const, kid: null, alg: null, createdAt: null, ageSeconds: null };
  return {
    status: 'ok' as const,
    kid: active.kid,
    alg: active.alg,
    createdAt: active.createdAt,
    ageSeconds: Math.max(0, Math.floor((now - Date.parse(active.createdAt)) / 1000)),
  };
}
