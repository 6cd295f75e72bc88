import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { freePort } from './private-redis';

/**
 * A throw-away PostgreSQL server (initdb in a temp dir, a free loopback port) that a test may
 * stop, restart and cut connections of, without touching the machine's shared PostgreSQL.
 */

interface Binaries {
  postgres: string;
  initdb: string;
}

/** `postgres` and `initdb` from PATH, /usr/local/bin, or Debian's /usr/lib/postgresql/<v>/bin. */
export function postgresBinaries(): Binaries | undefined {
  const dirs = ['/usr/local/bin'];
  const onPath = spawnSync('sh', ['-c', 'command -v postgres'], { encoding: 'utf8' });
  if (onPath.status === 0) dirs.unshift(onPath.stdout.trim().replace(/\/postgres$/, ''));
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  for (const dir of dirs) {
    const found = { postgres: join(dir, 'postgres'), initdb: join(dir, 'initdb') };
    if (existsSync(found.postgres) && existsSync(found.initdb)) return found;
  }
  return undefined;
}

/** Why private-PostgreSQL tests cannot run here, or undefined when they can. */
export function privatePostgresMissing(): string | undefined {
  if (!postgresBinaries())
    return 'no postgres/initdb binaries (PATH, /usr/local/bin, /usr/lib/postgresql/*/bin)';
  if (isRoot() && !unprivilegedUser())
    return 'running as root and there is no "postgres" user to run the server as';
  return undefined;
}

export interface PrivatePostgres {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  port: number;
  /** URL of a database on this server. */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown (SIGINT): clients are disconnected, new connections refused. */
  stop(): Promise<void>;
  /** Starts the server again on the same data directory and port. */
  start(): Promise<void>;
  /** pg_terminate_backend on every backend of `database`; resolves to how many were ended. */
  terminateBackends(database: string): Promise<number>;
  /** One query on a connection of its own (not the app's pool). */
  query<T>(database: string, text: string, params?: unknown[]): Promise<T[]>;
  destroy(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user. */
export function unprivilegedUser(): { uid: number; gid: number } | undefined {
  const entry = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' });
  if (entry.status !== 0) return undefined;
  const [, , uid, gid] = entry.stdout.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const binaries = postgresBinaries();
  if (!binaries) throw new Error(privatePostgresMissing());
  const owner = isRoot() ? unprivilegedUser() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kg-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const init = spawnSync(
    binaries.initdb,
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    { encoding: 'utf8', ...owner },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);

  const port = await freePort();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  let log = '';

  const start = async () => {
    log = '';
    child = spawn(
      binaries.postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        // A test server: durability against an OS crash is not what is being tested.
        '-c',
        'fsync=off',
        '-c',
        'max_connections=100',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...owner },
    );
    child.stderr!.on('data', (d) => (log += d));
    const started = performance.now();
    while (!(await answers(adminUrl))) {
      if (child.exitCode !== null) throw new Error(`postgres exited: ${log}`);
      if (performance.now() - started > 20_000) throw new Error(`postgres did not start: ${log}`);
      await Bun.sleep(50);
    }
  };

  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGINT');
    await exited;
  };

  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const withAdmin = async <T>(
    use: (sql: postgres.Sql) => Promise<T>,
    database = 'postgres',
  ): Promise<T> => {
    const sql = postgres(urlFor(database), { max: 1, onnotice: () => {} });
    try {
      return await use(sql);
    } finally {
      await sql.end({ timeout: 1 });
    }
  };

  await start();
  return {
    adminUrl,
    port,
    urlFor,
    start,
    stop,
    async createDatabase(name) {
      await withAdmin((sql) => sql.unsafe(`create database ${name}`));
      return urlFor(name);
    },
    terminateBackends: (database) =>
      withAdmin(async (sql) => {
        const rows = await sql`
          select pg_terminate_backend(pid) as ended from pg_stat_activity
          where datname = ${database} and pid <> pg_backend_pid()`;
        return rows.filter((r) => r.ended).length;
      }),
    query: <T>(database: string, text: string, params: unknown[] = []) =>
      withAdmin(
        async (sql) => (await sql.unsafe(text, params as never[])) as unknown as T[],
        database,
      ),
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function answers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 1, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 0 }).catch(() => {});
  }
}
