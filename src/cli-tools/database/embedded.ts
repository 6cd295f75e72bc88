import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { CLEAR_SQL } from './clear-sql';
import { refuse, ToolError } from './errors';

/**
 * The embedded database (PGlite under DATA_DIR) through PGlite's own data-directory dump and
 * load: a gzipped tarball of the whole directory. Only with the server stopped: PGlite is one
 * process's database, and while it is open its directory holds postmaster.pid.
 */

export function assertServerStopped(dir: string) {
  if (existsSync(`${dir}/postmaster.pid`)) {
    throw refuse(
      `${dir} is in use (postmaster.pid): stop the server first. If no server runs (it was killed), start and stop it once to release the directory.`,
    );
  }
}

function assertExists(dir: string) {
  if (!existsSync(`${dir}/PG_VERSION`)) throw new ToolError(`no embedded database in ${dir}`);
}

export async function backupEmbedded(dir: string, file: string) {
  assertServerStopped(dir);
  assertExists(dir);
  const db = new PGlite(dir);
  try {
    // dumpDataDir does not wait for start-up itself (it hangs if called before).
    await db.waitReady;
    const tarball = await db.dumpDataDir('gzip');
    writeFileSync(file, Buffer.from(await tarball.arrayBuffer()), { mode: 0o600 });
  } finally {
    await db.close();
  }
}

/**
 * Loads the backup into a fresh directory; the current one is kept aside until the restored
 * database has answered a query, and put back if anything fails.
 */
export async function restoreEmbedded(dir: string, file: string) {
  assertServerStopped(dir);
  const aside = `${dir}.before-restore-${Date.now()}`;
  const hadDatabase = existsSync(dir);
  if (hadDatabase) renameSync(dir, aside);
  try {
    const db = new PGlite(dir, { loadDataDir: new Blob([readFileSync(file)]) });
    try {
      await db.query('select 1');
    } finally {
      await db.close();
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    if (hadDatabase) renameSync(aside, dir);
    throw new ToolError(`restore failed, the database is unchanged: ${(err as Error).message}`);
  }
  if (hadDatabase) rmSync(aside, { recursive: true, force: true });
}

export async function clearEmbedded(dir: string) {
  assertServerStopped(dir);
  assertExists(dir);
  const db = new PGlite(dir);
  try {
    await db.exec(CLEAR_SQL);
  } finally {
    await db.close();
  }
}
