import type { Logger } from 'pino';
import { createMemoryStore, createRedisStore, type SharedStore } from './cache/shared-store';
import type { Config } from './config';
import { type DatabaseHandle, openDatabase } from './db/client';

/** Opens the database (PostgreSQL or embedded PGlite) and the shared store (Redis or memory). */
export async function openInfrastructure(
  config: Config,
  logger: Logger,
): Promise<{ database: DatabaseHandle; store: SharedStore }> {
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : config.dataDir,
    poolMax: config.databasePoolMax,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
  });
  const store = config.redis
    ? await createRedisStore({ config: config.redis, keyPrefix: config.redisKeyPrefix, logger })
    : createMemoryStore();
  return { database, store };
}
