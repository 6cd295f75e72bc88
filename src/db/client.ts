import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema';

/**
 * Both drivers expose the same Drizzle query API; the PostgreSQL type is the one the code is
 * written against, and the PGlite instance is used through it.
 */
export type Database = PostgresJsDatabase<typeof schema>;
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
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options.poolMax ?? 10);
  return openPglite(options.dataDir);
}

async function openPostgres(url: string, poolMax: number): Promise<DatabaseHandle> {
  const client = postgres(url, {
    max: poolMax,
    onnotice: () => {},
    connect_timeout: 5,
    // Transactions and prepared statements per connection are fine behind a plain pool.
    prepare: true,
  });
  const db = drizzlePostgres(client, { schema });
  const lock = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await lock`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    await lock.end({ timeout: 1 });
  }
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/** Where the embedded database keeps its files under DATA_DIR (also for backup and restore). */
export const pgliteDirectory = (dataDir: string) => join(dataDir, 'pglite');

async function openPglite(dataDir?: string): Promise<DatabaseHandle> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
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
