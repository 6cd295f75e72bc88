import Redis, { type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { SharedStore, StoreProbe } from './shared-store';
import { UnsentInvalidations } from './unsent-invalidations';

export interface RedisStoreOptions {
  config: NonNullable<Config['redis']>;
  keyPrefix: string;
  logger: Logger;
  /** How long start-up waits for a first connection before carrying on degraded. */
  connectTimeoutMs?: number;
}

type Handler = (message: string) => void;

/**
 * Sentinels tell each other of a new primary in hello messages every 2 s. Until they all
 * agree, another instance may have reconnected to the old primary (still up after a planned
 * failover) and publish where this one no longer listens: invalidations are not trusted yet.
 */
const SENTINEL_CONVERGENCE_MS = 5000;

/**
 * Where the connections go: one address, or the primary the sentinels name. In Sentinel mode
 * ioredis asks a sentinel for the primary on every (re)connect, checks the node's role, and
 * with the failover detector drops its connection as soon as a sentinel announces
 * +switch-master, so both connections land on the new primary by themselves.
 */
function target(config: RedisStoreOptions['config']): RedisOptions {
  const data = { password: config.password, db: config.db };
  if (!config.sentinel) return { ...data, host: config.host, port: config.port };
  return {
    ...data,
    sentinels: config.sentinel.sentinels,
    name: config.sentinel.name,
    sentinelPassword: config.sentinel.password,
    failoverDetector: true,
    sentinelCommandTimeout: 1000,
  };
}

function connectionOptions(config: RedisStoreOptions['config']): RedisOptions {
  return {
    ...target(config),
    // Fail fast while disconnected: callers fall back to the database.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    // Retry often: the sooner an instance is back, the sooner its queued invalidations arrive.
    retryStrategy: (attempt) => Math.min(50 * attempt, 250),
    // A node demoted under a kept-alive connection answers writes with READONLY: reconnect,
    // which (in Sentinel mode) asks for the current primary again.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    lazyConnect: true,
  };
}

/**
 * Cached values live under the primary's replication id. A failover promotes a replica under
 * a new id, so what the old primary held, or had not yet replicated when it died (the DEL of
 * a revoked session's cached copy, say), is out of sight: the cache starts cold, never stale.
 */
async function keyspaceOf(cmd: Redis): Promise<string> {
  const info = await cmd.info('replication').catch(() => '');
  return /^master_replid:([0-9a-f]{8})/m.exec(info)?.[1] ?? 'r';
}

export async function createRedisStore(options: RedisStoreOptions): Promise<SharedStore> {
  const { config, keyPrefix, logger } = options;
  const mode = config.sentinel ? 'sentinel' : 'standalone';
  const base = connectionOptions(config);
  const make = (extra: RedisOptions = {}) =>
    config.url && !config.sentinel
      ? new Redis(config.url, { ...base, ...extra })
      : new Redis({ ...base, ...extra });
  const cmd = make({ keyPrefix });
  // Subscriber connections may queue their SUBSCRIBE until connected.
  const sub = make({ enableOfflineQueue: true, commandTimeout: undefined });
  const handlers = new Map<string, Handler[]>();
  const resyncHandlers: Array<() => void> = [];
  let warned = false;
  let closing = false;
  let overflowed = false;
  let subWasDown = false;
  /** Counts the subscriber's disconnections, so a pending convergence wait can tell. */
  let subOutages = 0;
  /** Undefined while the command connection is not (yet) known to be on a primary. */
  let keyspace: string | undefined;
  let cmdConnections = 0;

  const onDown = (which: string) => (err?: Error) => {
    if (closing) return;
    if (!warned) {
      warned = true;
      logger.warn({ err: err?.message, connection: which }, 'redis unavailable; using database');
    }
  };
  for (const [conn, which] of [
    [cmd, 'command'],
    [sub, 'subscriber'],
  ] as const) {
    conn.on('error', onDown(which));
    // ioredis gives a connection up ('end') when its Sentinel failover detector aborts a
    // reconnect half-way; nothing else ends ours before close(), so start it again.
    conn.on('end', () => {
      setTimeout(() => {
        if (!closing && conn.status === 'end') conn.connect().catch(() => {});
      }, 100).unref?.();
    });
  }

  const inKeyspace = (key: string) => `${keyspace}:${key}`;
  const unsent = new UnsentInvalidations({
    ready: () => cmd.status === 'ready' && keyspace !== undefined,
    perform: (inv) =>
      'del' in inv ? cmd.del(...inv.del.map(inKeyspace)) : cmd.publish(...inv.publish),
    onError: onDown('command'),
    onOverflow: () => {
      if (!overflowed) logger.warn('redis down too long: oldest queued invalidations dropped');
      overflowed = true;
    },
  });
  cmd.on('close', () => {
    keyspace = undefined;
    cmdConnections++;
  });
  cmd.on('ready', async () => {
    const connection = ++cmdConnections;
    const found = await keyspaceOf(cmd);
    if (connection !== cmdConnections || cmd.status !== 'ready') return;
    keyspace = found;
    if (warned) logger.info('redis connection restored');
    warned = false;
    overflowed = false;
    void unsent.flush();
  });

  const resync = () => {
    for (const handler of resyncHandlers) handler();
  };
  sub.on('close', () => {
    subWasDown = true;
    subOutages++;
  });
  sub.on('ready', () => {
    if (!subWasDown) return;
    // Also after ioredis gave the connection up and it was started afresh.
    if (handlers.size > 0) sub.subscribe(...handlers.keys()).catch(onDown('subscriber'));
    resync();
    if (mode === 'standalone') {
      subWasDown = false;
      return;
    }
    const outage = subOutages;
    setTimeout(() => {
      if (closing || outage !== subOutages) return;
      subWasDown = false;
      // Drop what was cached while invalidations were not trusted.
      resync();
    }, SENTINEL_CONVERGENCE_MS).unref?.();
  });
  sub.on('message', (channel: string, message: string) => {
    for (const handler of handlers.get(channel) ?? []) handler(message);
  });

  const timeout = options.connectTimeoutMs ?? 2000;
  await Promise.all(
    [cmd, sub].map((conn) =>
      Promise.race([conn.connect(), Bun.sleep(timeout)]).catch(onDown('startup')),
    ),
  );
  // The command connection's keyspace arrives one round trip after 'ready'.
  for (let i = 0; i < 20 && cmd.status === 'ready' && keyspace === undefined; i++) {
    await Bun.sleep(5);
  }

  const channelName = (channel: string) => `${keyPrefix}${channel}`;
  const safely = async <T>(fallback: T, op: () => Promise<T>): Promise<T> => {
    if (cmd.status !== 'ready' || keyspace === undefined) return fallback;
    try {
      return await op();
    } catch (err) {
      onDown('command')(err as Error);
      return fallback;
    }
  };

  return {
    kind: 'redis',
    redis: cmd,
    status: () => (cmd.status === 'ready' && sub.status === 'ready' ? 'connected' : 'degraded'),
    invalidationReliable: () => sub.status === 'ready' && !subWasDown,
    get: (key) => safely(null, () => cmd.get(inKeyspace(key))),
    set: (key, value, ttlSeconds) =>
      safely(undefined, async () => {
        await cmd.set(inKeyspace(key), value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
      }),
    // Invalidations must arrive, late rather than never: queued while Redis is away.
    del: async (...keys) => {
      if (keys.length > 0) await unsent.send({ del: keys });
    },
    publish: (channel, message) => unsent.send({ publish: [channelName(channel), message] }),
    subscribe(channel, handler) {
      const name = channelName(channel);
      const list = handlers.get(name) ?? [];
      list.push(handler);
      handlers.set(name, list);
      if (list.length === 1) sub.subscribe(name).catch(onDown('subscriber'));
    },
    onResync(handler) {
      resyncHandlers.push(handler);
    },
    probe: () => probeRedis(cmd, sub, mode),
    async close() {
      closing = true;
      // QUIT politely when connected; a connection that is down would wait forever.
      await Promise.allSettled(
        [cmd, sub].map((conn) =>
          conn.status === 'ready' ? Promise.race([conn.quit(), Bun.sleep(500)]) : undefined,
        ),
      );
      cmd.disconnect();
      sub.disconnect();
    },
  };
}

function remoteOf(conn: Redis): string | undefined {
  const { remoteAddress, remotePort } = conn.stream;
  return remoteAddress ? `${remoteAddress}:${remotePort}` : undefined;
}

async function probeRedis(cmd: Redis, sub: Redis, mode: StoreProbe['mode']): Promise<StoreProbe> {
  if (cmd.status !== 'ready' || sub.status !== 'ready') {
    return { mode, ok: false, error: `command connection ${cmd.status}, subscriber ${sub.status}` };
  }
  const started = performance.now();
  try {
    const [, role] = await Promise.all([cmd.ping(), cmd.role()]);
    const found = {
      mode,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
      role: String(role[0]),
      address: remoteOf(cmd),
      subscriberAddress: remoteOf(sub),
    };
    if (found.role !== 'master') return { ...found, ok: false, error: 'not on the primary' };
    if (found.address !== found.subscriberAddress) {
      return { ...found, ok: false, error: 'pub/sub is on another node than commands' };
    }
    return { ...found, ok: true };
  } catch (err) {
    return { mode, ok: false, error: (err as Error).message };
  }
}
