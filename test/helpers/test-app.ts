import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import pino from 'pino';
import postgres from 'postgres';
import { type AppInstance, createApp } from '../../src/app';
import {
  createMemoryStore,
  createRedisStore,
  type SharedStore,
} from '../../src/cache/shared-store';
import { type Config, loadConfig } from '../../src/config';
import { type DatabaseHandle, openDatabase } from '../../src/db/client';
import { type Clock, systemClock } from '../../src/lib/clock';

/**
 * A fresh app for a test file: PGlite in memory and the in-memory store by default; with
 * TEST_DATABASE_URL a freshly created PostgreSQL database, and with TEST_REDIS_URL Redis under
 * a key prefix of its own, so files never see each other's data.
 */

export interface TestDatabase {
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const handle = await openDatabase({});
    return { handle, drop: () => handle.close() };
  }
  const name = `kg_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), poolMax: 5 });
  return {
    handle,
    async drop() {
      await handle.close().catch(() => {});
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.end({ timeout: 1 });
    },
  };
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Share another test app's database (two instances behind one load balancer). */
  database?: DatabaseHandle;
  /** Redis to use instead of TEST_REDIS_URL; 'memory' forces the in-memory store. */
  redisUrl?: string | 'memory';
  /** Key prefix; instances that must share state pass the same one. */
  redisPrefix?: string;
  clock?: Clock;
  logger?: Logger;
}

export interface TestApp {
  instance: AppInstance;
  config: Config;
  database: DatabaseHandle;
  store: SharedStore;
  redisPrefix: string;
  /** Sends a request in-process, as if from `ip`. */
  request(path: string, init?: RequestInit & { ip?: string }): Promise<Response>;
  close(): Promise<void>;
}

export const silentLogger = pino({ level: 'silent' });

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownDatabase = options.database ? undefined : await createTestDatabase();
  const database = options.database ?? ownDatabase!.handle;
  // An app on Redis Sentinel (env REDIS_SENTINELS) must not also get the single TEST_REDIS_URL.
  const sentinel = Boolean(options.env?.REDIS_SENTINELS);
  const redisUrl = options.redisUrl ?? (sentinel ? undefined : process.env.TEST_REDIS_URL);
  const redisPrefix = options.redisPrefix ?? `kgtest:${randomBytes(6).toString('hex')}:`;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    APP_URL: 'http://localhost:8090',
    ...(redisUrl && redisUrl !== 'memory' ? { REDIS_URL: redisUrl } : {}),
    ...((redisUrl && redisUrl !== 'memory') || sentinel ? { REDIS_KEY_PREFIX: redisPrefix } : {}),
    ...options.env,
  });
  const logger = options.logger ?? silentLogger;
  const store =
    config.redis && redisUrl !== 'memory'
      ? await createRedisStore({ config: config.redis, keyPrefix: redisPrefix, logger })
      : createMemoryStore();
  const instance = createApp({
    config,
    database,
    store,
    logger,
    clock: options.clock ?? systemClock,
  });
  return {
    instance,
    config,
    database,
    store,
    redisPrefix,
    request(path, init = {}) {
      const { ip = '127.0.0.1', ...rest } = init;
      const server = { requestIP: () => ({ address: ip }) };
      return Promise.resolve(instance.app.request(path, rest, { server }));
    },
    async close() {
      await instance.stop();
      await store.close();
      await ownDatabase?.drop();
    },
  };
}
