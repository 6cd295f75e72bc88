/**
 * `npm run db:backup -- --file PATH`, `npm run db:restore -- --file PATH`, `npm run db:clear`:
 * back up, restore or empty the database the server is configured with (the same environment
 * as the server: PostgreSQL when DATABASE_URL is set, else the embedded database in DATA_DIR).
 * Against a production configuration (NODE_ENV=production) each needs --yes.
 *
 * Exit codes: 0 done, 1 failed, 2 refused (usage, production without --yes, a server running).
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { pgliteDirectory } from '../db/client';
import { backupEmbedded, clearEmbedded, restoreEmbedded } from './database/embedded';
import { refuse, ToolError } from './database/errors';
import {
  assertNoOtherConnections,
  backupPostgres,
  clearPostgres,
  restorePostgres,
  splitCredentials,
} from './database/postgres';

const USAGE = `usage: bun src/cli-tools/database.ts backup --file PATH [--yes]
       bun src/cli-tools/database.ts restore --file PATH [--yes] [--force]
       bun src/cli-tools/database.ts clear [--yes] [--force]`;

/** pg_dump's custom format starts with "PGDMP"; PGlite's dump is a gzip stream (1f 8b). */
function backupKind(file: string): 'postgres' | 'embedded' | undefined {
  const head = Buffer.alloc(5);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 5, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') === 'PGDMP') return 'postgres';
  return head[0] === 0x1f && head[1] === 0x8b ? 'embedded' : undefined;
}

function parsedArguments(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        file: { type: 'string' },
        yes: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw refuse(`${(err as Error).message}\n${USAGE}`);
  }
}

async function main(argv: string[]) {
  const { positionals, values } = parsedArguments(argv);
  const [command] = positionals;
  if (!command || !['backup', 'restore', 'clear'].includes(command) || positionals.length > 1) {
    throw refuse(USAGE);
  }
  const file = values.file;
  if (command !== 'clear' && !file) throw refuse(`--file PATH is required\n${USAGE}`);
  if (command === 'backup' && existsSync(file!)) throw refuse(`${file} exists: choose a new file`);
  if (command === 'restore' && !existsSync(file!)) throw refuse(`${file}: no such file`);

  const config = loadConfig();
  const kind = config.databaseUrl ? 'postgres' : 'embedded';
  const where = config.databaseUrl
    ? splitCredentials(config.databaseUrl).url
    : pgliteDirectory(config.dataDir);
  if (config.isProduction && !values.yes) {
    throw refuse(
      `NODE_ENV=production: this would ${command} the production database (${where}). Pass --yes to go ahead.`,
    );
  }
  if (command === 'restore' && backupKind(file!) !== kind) {
    throw refuse(
      `${file} is not a backup of ${kind === 'postgres' ? 'a PostgreSQL' : 'an embedded'} database (db:backup writes one)`,
    );
  }

  const url = config.databaseUrl;
  if (url && command !== 'backup' && !values.force) await assertNoOtherConnections(url);
  if (command === 'backup') {
    if (url) backupPostgres(url, file!);
    else await backupEmbedded(where, file!);
    console.log(`backed up ${where} to ${file}`);
  } else if (command === 'restore') {
    if (url) restorePostgres(url, file!);
    else await restoreEmbedded(where, file!);
    console.log(`restored ${where} from ${file}`);
  } else {
    if (url) await clearPostgres(url);
    else await clearEmbedded(where);
    console.log(`cleared every table of ${where} (the schema and its migrations stay)`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  // Messages only: no stack, and URLs were stripped of their passwords above.
  console.error((err as Error).message);
  process.exitCode = err instanceof ToolError ? err.exitCode : 1;
}
