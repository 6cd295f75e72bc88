import { EventEmitter } from 'node:events';
import Redis, { type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config';

export type SharedStoreStatus = 'connected' | 'degraded' | 'disabled';
type Handler = (message: string) => void;

/**
 * The state instances share: a key/value cache with TTLs and a pub/sub bus.
 * With Redis it spans every instance; without it, it is this process only (one instance).
 * Every call is best-effort: when Redis is away, reads miss and writes are dropped, so callers
 * fall back to the database instead of failing the request.
 */
export interface SharedStore {
  readonly kind: 'redis' | 'memory';
  status(): SharedStoreStatus;
  /** True when a published invalidation is known to reach every instance. */
  invalidationReliable(): boolean;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: Handler): void;
  /** Called after the bus was interrupted, when messages may have been missed. */
  onResync(handler: () => void): void;
  /** The command connection, for libraries that speak Redis themselves (rate limits). */
  readonly redis?: Redis;
  close(): Promise<void>;
}

export function createMemoryStore(): SharedStore {
  const values = new Map<string, { value: string; expiresAt: number }>();
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  return {
    kind: 'memory',
    status: () => 'disabled',
    invalidationReliable: () => true,
    async get(key) {
      const entry = values.get(key);
      if (!entry) return null;
      if (entry.expiresAt <= Date.now()) {
        values.delete(key);
        return null;
      }
      return entry.value;
    },
    async set(key, value, ttlSeconds) {
      values.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    },
    async del(...keys) {
      for (const key of keys) values.delete(key);
    },
    async publish(channel, message) {
      bus.emit(channel, message);
    },
    subscribe(channel, handler) {
      bus.on(channel, handler);
    },
    onResync() {},
    async close() {
      bus.removeAllListeners();
      values.clear();
    },
  };
}

export interface RedisStoreOptions {
  config: NonNullable<Config['redis']>;
  keyPrefix: string;
  logger: Logger;
  /** How long start-up waits for a first connection before carrying on degraded. */
  connectTimeoutMs?: number;
}

export async function createRedisStore(options: RedisStoreOptions): Promise<SharedStore> {
  const { config, keyPrefix, logger } = options;
  const base: RedisOptions = {
    host: config.host,
    port: config.port,
    password: config.password,
    db: config.db,
    // Fail fast while disconnected: callers fall back to the database.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    lazyConnect: true,
  };
  const make = (extra: RedisOptions = {}) =>
    config.url ? new Redis(config.url, { ...base, ...extra }) : new Redis({ ...base, ...extra });
  const cmd = make({ keyPrefix });
  // Subscriber connections may queue their SUBSCRIBE until connected.
  const sub = make({ enableOfflineQueue: true, commandTimeout: undefined });
  const handlers = new Map<string, Handler[]>();
  const resyncHandlers: Array<() => void> = [];
  let warned = false;
  let closing = false;
  let subWasDown = false;

  const onDown = (which: string) => (err?: Error) => {
    if (closing) return;
    if (!warned) {
      warned = true;
      logger.warn({ err: err?.message, connection: which }, 'redis unavailable; using database');
    }
  };
  cmd.on('error', onDown('command'));
  sub.on('error', onDown('subscriber'));
  cmd.on('ready', () => {
    if (warned) logger.info('redis connection restored');
    warned = false;
  });
  sub.on('close', () => {
    subWasDown = true;
  });
  sub.on('ready', () => {
    if (!subWasDown) return;
    subWasDown = false;
    for (const handler of resyncHandlers) handler();
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

  const channelName = (channel: string) => `${keyPrefix}${channel}`;
  const safely = async <T>(fallback: T, op: () => Promise<T>): Promise<T> => {
    if (cmd.status !== 'ready') return fallback;
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
    get: (key) => safely(null, () => cmd.get(key)),
    set: (key, value, ttlSeconds) =>
      safely(undefined, async () => {
        await cmd.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
      }),
    del: (...keys) =>
      safely(undefined, async () => {
        if (keys.length > 0) await cmd.del(...keys);
      }),
    publish: (channel, message) =>
      safely(undefined, async () => {
        await cmd.publish(channelName(channel), message);
      }),
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
