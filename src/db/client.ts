import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { SQL } from 'bun';
import { sql } from 'drizzle-orm';
import { type BunSQLDatabase, drizzle as drizzleBunSql } from 'drizzle-orm/bun-sql';
import { migrate as migrateBunSql } from 'drizzle-orm/bun-sql/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { prepareDataDir } from './data-dir';
import * as schema from './schema';

/**
 * Both drivers expose the same Drizzle query API; the PostgreSQL type is the one the code is
 * written against, and the PGlite instance is used through it.
 *
 * PostgreSQL goes through Bun's own client (Bun.SQL), not the `postgres` package: under
 * PostgreSQL restarts and pg_terminate_backend, `postgres` 3.4 left queries hanging for 10 s,
 * took 3-4.5 s to recover, and could crash the process from a timer (a write on a closed
 * socket, porsager/postgres#1066); Bun.SQL failed every query within 0.3 s and recovered within
 * 0.5 s (test/scale/postgres-outage.test.ts; numbers in issue #12's note).
 */
export type Database = BunSQLDatabase<typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Anything queries can run on: the database itself or an open transaction. */
export type Queryable = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS_FOLDER = join(import.meta.dir, '../../drizzle');
/** Serialises migrations when several replicas start at once against one PostgreSQL. */
const MIGRATION_LOCK_ID = 7_310_214;

export interface OpenDatabaseOptions {
  url?: string;
  /** PGlite data directory; undefined keeps the database in memory (tests). */
  dataDir?: string;
  poolMax?: number;
  /**
   * How long opening a connection may take. While PostgreSQL is unreachable, a query waiting
   * for a pooled connection fails when that attempt does, so this also bounds the wait.
   */
  connectTimeoutMs?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options);
  return openPglite(options.dataDir);
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const connectionTimeout = (options.connectTimeoutMs ?? 1500) / 1000;
  const client = new SQL({ url, max: options.poolMax ?? 10, connectionTimeout });
  const db = drizzleBunSql({ client, schema });
  // The advisory lock belongs to a session: a connection of its own holds it while the pool
  // migrates (the pool may be a single connection).
  const lock = new SQL({ url, max: 1, connectionTimeout });
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migrateBunSql(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (err) {
    await client.close({ timeout: 0 });
    throw err;
  } finally {
    await lock`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    await lock.close({ timeout: 1 });
  }
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close({ timeout: 5 }),
  };
}

/** Where the embedded database keeps its files under DATA_DIR (also for backup and restore). */
export const pgliteDirectory = (dataDir: string) => join(dataDir, 'pglite');

async function openPglite(dataDir?: string): Promise<DatabaseHandle> {
  if (dataDir) prepareDataDir(dataDir);
  const client = new PGlite(dataDir ? pgliteDirectory(dataDir) : undefined);
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  let closed = false;
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    ping: async () => {
      if (closed) throw new Error('database closed');
      await db.execute(sql`select 1`);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
