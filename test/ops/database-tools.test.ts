import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type DatabaseHandle, openDatabase, pgliteDirectory } from '../../src/db/client';
import { dummySecret } from '../deploy/environment';
import { pathWithBun } from '../deploy/process';
import { call } from '../helpers/http';
import { createUser } from '../helpers/seed';
import { createTestApp } from '../helpers/test-app';

/**
 * `npm run db:backup / db:restore / db:clear` as an operator runs them, on the setup under
 * test: a freshly created PostgreSQL database on TEST_DATABASE_URL's server (dropped at the
 * end; no other database is touched), else the embedded database in a temporary DATA_DIR.
 */

const ROOT = join(import.meta.dir, '../..');
const adminUrl = process.env.TEST_DATABASE_URL;
const kind = adminUrl ? 'postgres' : 'embedded';
const work = mkdtempSync(join(tmpdir(), 'kg-db-tools-'));
const dataDir = join(work, 'data');
const databaseName = `kg_dbtools_${randomBytes(5).toString('hex')}`;
const admin = adminUrl ? postgres(adminUrl, { max: 1, onnotice: () => {} }) : undefined;
const databaseUrl = (() => {
  if (!adminUrl) return undefined;
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
})();

const open = (): Promise<DatabaseHandle> =>
  openDatabase(databaseUrl ? { url: databaseUrl, poolMax: 2 } : { dataDir });

interface ToolRun {
  status: number;
  output: string;
}

async function runTool(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ToolRun> {
  const child = Bun.spawn(['npm', 'run', '-s', script, '--', ...args], {
    cwd: ROOT,
    env: {
      PATH: pathWithBun(),
      HOME: process.env.HOME ?? work,
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...env,
    },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, status] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { status, output: stdout + stderr };
}

/** Every row of every application table, in a stable order. */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const handle = await open();
  try {
    const rowsOf = (result: any): any[] => (Array.isArray(result) ? result : result.rows);
    const tables = rowsOf(
      await handle.db.execute(
        sql`select tablename from pg_tables where schemaname = 'public' order by tablename`,
      ),
    ).map((r) => r.tablename as string);
    const out: Record<string, unknown[]> = {};
    for (const table of tables) {
      const rows = rowsOf(await handle.db.execute(sql.raw(`select * from "${table}"`)));
      out[table] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  } finally {
    await handle.close();
  }
}

/** PostgreSQL ends a closed connection's backend a moment later; the tools refuse until then. */
async function connectionsClosed() {
  if (!admin) return;
  for (let i = 0; i < 100; i++) {
    const [row] =
      await admin`select count(*)::int as n from pg_stat_activity where datname = ${databaseName}`;
    if (row!.n === 0) return;
    await Bun.sleep(50);
  }
}

const production = {
  NODE_ENV: 'production',
  APP_URL: 'https://kubegram.example.com',
  CORS_ORIGIN: 'https://kubegram.example.com',
  JWT_SECRET: dummySecret(),
  GLOBAL_ENCRYPTION_KEY: dummySecret(),
};

let seeded: Record<string, unknown[]>;
let sessionToken: string;

beforeAll(async () => {
  if (admin) await admin.unsafe(`create database ${databaseName}`);
  const handle = await open();
  const t = await createTestApp({ database: handle, redisUrl: 'memory' });
  const owner = await createUser(t);
  await createUser(t);
  const company = await call(t, 'POST', '/api/public/v1/companies', {
    cookie: owner.token,
    body: { name: 'Backup Co' },
  });
  expect(company.status).toBe(201);
  sessionToken = owner.token;
  await t.close();
  await handle.close();
  seeded = await snapshot();
}, 120_000);

afterAll(async () => {
  if (admin) {
    await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
    await admin.end({ timeout: 1 });
  }
  rmSync(work, { recursive: true, force: true });
});

describe(`db:backup → db:clear → db:restore (${kind})`, () => {
  const file = join(work, kind === 'postgres' ? 'kubegram.dump' : 'kubegram.tar.gz');

  test('the seed wrote rows to check', () => {
    expect(seeded.users!.length).toBe(2);
    expect(seeded.companies!.length).toBe(1);
    expect(seeded.sessions!.length).toBeGreaterThanOrEqual(2);
  });

  test('round trip: the same rows come back', async () => {
    await connectionsClosed();
    const backup = await runTool('db:backup', ['--file', file]);
    expect(backup).toEqual({ status: 0, output: expect.stringContaining('backed up') });
    expect(existsSync(file)).toBe(true);

    await connectionsClosed();
    const clear = await runTool('db:clear', []);
    expect(clear).toEqual({ status: 0, output: expect.stringContaining('cleared') });
    const cleared = await snapshot();
    expect(Object.keys(cleared)).toEqual(Object.keys(seeded));
    expect(Object.values(cleared).flat()).toEqual([]);

    await connectionsClosed();
    const restore = await runTool('db:restore', ['--file', file]);
    expect(restore).toEqual({ status: 0, output: expect.stringContaining('restored') });
    expect(await snapshot()).toEqual(seeded);
  }, 180_000);

  test('production: each command refuses without --yes and changes nothing', async () => {
    await connectionsClosed();
    for (const [script, args] of [
      ['db:clear', []],
      ['db:restore', ['--file', file]],
      ['db:backup', ['--file', join(work, 'refused.dump')]],
    ] as const) {
      const run = await runTool(script, [...args], production);
      expect({ script, status: run.status }).toEqual({ script, status: 2 });
      expect(run.output).toContain('Pass --yes');
      expect(run.output).not.toContain(production.JWT_SECRET);
    }
    expect(existsSync(join(work, 'refused.dump'))).toBe(false);
    expect(await snapshot()).toEqual(seeded);
  }, 120_000);

  test('production with --yes: the backup is written', async () => {
    await connectionsClosed();
    const target = join(work, 'production-backup');
    const run = await runTool('db:backup', ['--file', target, '--yes'], production);
    expect(run.status).toBe(0);
    expect(existsSync(target)).toBe(true);
  }, 120_000);

  test('bad input is refused before anything is touched', async () => {
    const garbage = join(work, 'not-a-backup');
    writeFileSync(garbage, 'hello');
    const wrongKind = await runTool('db:restore', ['--file', garbage]);
    expect(wrongKind.status).toBe(2);
    expect(wrongKind.output).toContain('is not a backup');
    const exists = await runTool('db:backup', ['--file', file]);
    expect(exists).toEqual({ status: 2, output: expect.stringContaining('exists') });
    const missing = await runTool('db:restore', []);
    expect(missing).toEqual({
      status: 2,
      output: expect.stringContaining('--file PATH is required'),
    });
    const unknown = await runTool('db:clear', ['--everything']);
    expect(unknown.status).toBe(2);
    expect(await snapshot()).toEqual(seeded);
  }, 120_000);

  test.skipIf(kind !== 'embedded')(
    'embedded: refuses while a server has the database open',
    async () => {
      // What a running server holds: PGlite open on DATA_DIR/pglite (postmaster.pid present).
      const running = new PGlite(pgliteDirectory(dataDir));
      await running.waitReady;
      try {
        for (const [script, args] of [
          ['db:backup', ['--file', join(work, 'while-running')]],
          ['db:clear', []],
          ['db:restore', ['--file', file]],
        ] as const) {
          const run = await runTool(script, [...args]);
          expect({ script, status: run.status }).toEqual({ script, status: 2 });
          expect(run.output).toContain('stop the server first');
        }
      } finally {
        await running.close();
      }
      expect(await snapshot()).toEqual(seeded);
    },
    120_000,
  );

  test.skipIf(kind !== 'postgres')(
    'PostgreSQL: restore and clear refuse while servers are connected, unless --force',
    async () => {
      const server = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
      await server`select 1`;
      try {
        const clear = await runTool('db:clear', []);
        expect(clear).toEqual({
          status: 2,
          output: expect.stringContaining('stop the servers first'),
        });
        expect(await snapshot()).toEqual(seeded);
        const forced = await runTool('db:restore', ['--file', file, '--force']);
        expect(forced.status).toBe(0);
      } finally {
        await server.end({ timeout: 1 });
      }
      expect(await snapshot()).toEqual(seeded);
    },
    120_000,
  );

  // Last: signing in touches the session row, which the tests above compare.
  test('a restored session still signs in', async () => {
    const handle = await open();
    const t = await createTestApp({ database: handle, redisUrl: 'memory' });
    try {
      const me = await call(t, 'GET', '/api/public/v1/auth/me', { cookie: sessionToken });
      expect(me.status).toBe(200);
    } finally {
      await t.close();
      await handle.close();
    }
  }, 120_000);
});
