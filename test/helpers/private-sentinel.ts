import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort, killProcess, waitForRedis } from './private-redis';
import { onPath } from './requirements';

/**
 * A throw-away Redis Sentinel deployment on free loopback ports: a primary, one replica and
 * three sentinels (quorum 2), all password-protected, with a short down-after so a killed
 * primary is replaced within a few seconds. Nothing here touches the machine's shared Redis.
 */

const NAME = 'mymaster';
const DATA_PASSWORD = 'data-nodes-secret-pass';
const SENTINEL_PASSWORD = 'sentinels-secret-pass';
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 3000;

/** How to start a sentinel: Debian's redis-sentinel, or redis-server in sentinel mode. */
export function sentinelCommand(): { binary: string; args: string[] } | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-sentinel'], { encoding: 'utf8' });
  if (found.status === 0) return { binary: found.stdout.trim(), args: [] };
  const server = onPath('redis-server');
  return server ? { binary: server, args: ['--sentinel'] } : undefined;
}

/** Why the Sentinel tests cannot run here, or undefined when they can. */
export function sentinelMissingReason(): string | undefined {
  if (!onPath('redis-server')) return 'redis-server binary not found';
  if (!sentinelCommand()) return 'neither redis-sentinel nor redis-server --sentinel available';
  return undefined;
}

interface DataNode {
  port: number;
  child: ChildProcess;
}

export interface PrivateSentinelGroup {
  /** The variables an app instance needs to use this deployment. */
  env: Record<string, string>;
  /** The primary's port, as the sentinels name it (asks each sentinel; they must agree). */
  primaryPort(): Promise<number | undefined>;
  /** `SENTINEL FAILOVER`: a planned switch to the replica, the old primary stays up. */
  failover(): Promise<void>;
  /** SIGKILLs the current primary; returns its port. */
  killPrimary(): Promise<number>;
  /** Waits until every sentinel names a primary other than `oldPort`; returns its port. */
  waitForNewPrimary(oldPort: number, ms?: number): Promise<number>;
  /** Waits until the group is fully replicated again and every sentinel sees it (`ms` max). */
  waitUntilSettled(ms?: number): Promise<void>;
  close(): Promise<void>;
}

const nodeArgs = (port: number, dir: string) => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--save',
  '',
  '--appendonly',
  'no',
  // Replicas sync at once instead of after the default 5 s wait for more replicas.
  '--repl-diskless-sync-delay',
  '0',
  '--requirepass',
  DATA_PASSWORD,
  // A demoted primary becomes a replica and must authenticate to the new one.
  '--masterauth',
  DATA_PASSWORD,
];

function sentinelConfig(port: number, primaryPort: number, dir: string) {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `requirepass ${SENTINEL_PASSWORD}`,
    `sentinel sentinel-pass ${SENTINEL_PASSWORD}`,
    `sentinel monitor ${NAME} 127.0.0.1 ${primaryPort} 2`,
    `sentinel auth-pass ${NAME} ${DATA_PASSWORD}`,
    `sentinel down-after-milliseconds ${NAME} ${DOWN_AFTER_MS}`,
    `sentinel failover-timeout ${NAME} ${FAILOVER_TIMEOUT_MS}`,
    `sentinel parallel-syncs ${NAME} 1`,
    '',
  ].join('\n');
}

const client = (port: number, password: string) => {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    password,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    commandTimeout: 1000,
  });
  redis.on('error', () => {});
  return redis;
};

async function until(what: string, ms: number, check: () => Promise<boolean>) {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check().catch(() => false)) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Starts the deployment; undefined (with the reason printed) when the binaries are missing. */
export async function startPrivateSentinelGroup(): Promise<PrivateSentinelGroup | undefined> {
  const missing = sentinelMissingReason();
  const server = onPath('redis-server');
  const sentinel = sentinelCommand();
  if (missing || !server || !sentinel) {
    console.log(`[skip] ${missing}: private Sentinel tests skipped`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'kg-sentinel-'));
  const children: ChildProcess[] = [];
  const startNode = async (replicaOf?: number): Promise<DataNode> => {
    const port = await freePort();
    const nodeDir = mkdtempSync(join(dir, `node-${port}-`));
    const args = nodeArgs(port, nodeDir);
    if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    const child = spawn(server, args, { stdio: 'ignore' });
    children.push(child);
    await waitForRedis(port, DATA_PASSWORD);
    return { port, child };
  };
  const primary = await startNode();
  const replica = await startNode(primary.port);
  const nodes = [primary, replica];

  const sentinelPorts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const file = join(dir, `sentinel-${port}.conf`);
    // Sentinel rewrites its file as it learns the topology, so each gets a writable one.
    writeFileSync(file, sentinelConfig(port, primary.port, dir));
    children.push(spawn(sentinel.binary, [file, ...sentinel.args], { stdio: 'ignore' }));
    sentinelPorts.push(port);
  }
  for (const port of sentinelPorts) await waitForRedis(port, SENTINEL_PASSWORD);
  const sentinels = sentinelPorts.map((port) => client(port, SENTINEL_PASSWORD));

  const named = async () =>
    Promise.all(
      sentinels.map(async (s) => {
        const addr = (await s.call('SENTINEL', 'get-master-addr-by-name', NAME)) as string[] | null;
        return addr ? Number(addr[1]) : undefined;
      }),
    );
  const primaryPort = async () => {
    const ports = await named();
    return ports.every((p) => p === ports[0]) ? ports[0] : undefined;
  };
  const alive = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  const infoField = async (port: number, field: string) => {
    const redis = client(port, DATA_PASSWORD);
    try {
      const info = await redis.info('replication');
      return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    } finally {
      redis.disconnect();
    }
  };
  /** Every live replica is in sync, and every sentinel sees it and the other two sentinels. */
  const settled = async () => {
    const main = await primaryPort();
    if (!main || (await infoField(main, 'role')) !== 'master') return false;
    for (const node of alive()) {
      if (node.port === main) continue;
      if ((await infoField(node.port, 'master_link_status')) !== 'up') return false;
      if (Number(await infoField(node.port, 'master_port')) !== main) return false;
    }
    const replicasWanted = alive().length - 1;
    for (const s of sentinels) {
      const replicas = (await s.call('SENTINEL', 'replicas', NAME)) as string[][];
      // Their view of the replica's link can lag by one 10 s INFO period; what a failover
      // needs is that they see the replica up (the link is checked on the node itself).
      const healthy = replicas.filter(
        (fields) => !/s_down|o_down|disconnected/.test(fields[fields.indexOf('flags') + 1] ?? ''),
      );
      if (healthy.length < replicasWanted) return false;
      const peers = (await s.call('SENTINEL', 'sentinels', NAME)) as unknown[];
      if (peers.length < sentinels.length - 1) return false;
    }
    return true;
  };

  const group: PrivateSentinelGroup = {
    env: {
      REDIS_SENTINELS: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
      REDIS_SENTINEL_NAME: NAME,
      REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
      REDIS_PASSWORD: DATA_PASSWORD,
    },
    primaryPort,
    async failover() {
      await sentinels[0]!.call('SENTINEL', 'FAILOVER', NAME);
    },
    async killPrimary() {
      const port = await primaryPort();
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error('the sentinels do not agree on a primary');
      await killProcess(node.child);
      return node.port;
    },
    async waitForNewPrimary(oldPort, ms = 15_000) {
      let port: number | undefined;
      await until(`a primary other than :${oldPort}`, ms, async () => {
        port = await primaryPort();
        return port !== undefined && port !== oldPort;
      });
      return port!;
    },
    waitUntilSettled: (ms = 20_000) => until('the Sentinel group to settle', ms, settled),
    async close() {
      for (const s of sentinels) s.disconnect();
      for (const child of children) await killProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await group.waitUntilSettled();
  } catch (err) {
    await group.close();
    throw err;
  }
  return group;
}
