import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { CLEAR_SQL } from './clear-sql';
import { refuse, ToolError } from './errors';

/**
 * PostgreSQL (DATABASE_URL) through pg_dump / pg_restore in their custom format. The password
 * goes to them through PGPASSWORD, never on a command line other users can read in `ps`.
 */

/** On PATH, else the newest of Debian's /usr/lib/postgresql/<version>/bin. */
export function pgBinary(name: 'pg_dump' | 'pg_restore'): string {
  const onPath = Bun.which(name);
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], 'bin', name);
  throw new ToolError(
    `${name} not found: install the PostgreSQL client (apt-get install postgresql-client)`,
  );
}

/** The URL without its password, for commands and messages, and the password apart. */
export function splitCredentials(url: string): { url: string; password?: string } {
  const parsed = new URL(url);
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  parsed.password = '';
  return { url: parsed.toString(), password };
}

function run(binary: string, args: string[], password: string | undefined) {
  const result = spawnSync(binary, args, {
    encoding: 'utf8',
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  });
  if (result.status !== 0) {
    throw new ToolError(
      `${binary} failed: ${(result.stderr || result.error?.message || '').trim()}`,
    );
  }
}

export function backupPostgres(databaseUrl: string, file: string) {
  const { url, password } = splitCredentials(databaseUrl);
  run(
    pgBinary('pg_dump'),
    ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${url}`],
    password,
  );
}

/** Replaces what the backup holds, in one transaction: a failed restore changes nothing. */
export function restorePostgres(databaseUrl: string, file: string) {
  const { url, password } = splitCredentials(databaseUrl);
  run(
    pgBinary('pg_restore'),
    [
      '--clean',
      '--if-exists',
      '--no-owner',
      '--no-privileges',
      '--single-transaction',
      '--exit-on-error',
      `--dbname=${url}`,
      file,
    ],
    password,
  );
}

/**
 * Restoring or clearing under running servers would leave them serving cached sessions of
 * rows that no longer exist: refuse while other connections to the database are open.
 */
export async function assertNoOtherConnections(databaseUrl: string) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [row] = await sql<{ others: number }[]>`
      select count(*)::int as others from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid()`;
    if ((row?.others ?? 0) > 0) {
      throw refuse(
        `${row!.others} other connection(s) to this database are open: stop the servers first (Kubernetes: scale the Deployment to 0), or pass --force`,
      );
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function clearPostgres(databaseUrl: string) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await sql.unsafe(CLEAR_SQL);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
