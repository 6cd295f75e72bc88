import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** DATA_DIR cannot hold the embedded database: start-up stops with this message. */
export class DataDirError extends Error {
  constructor(dir: string, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException)?.code ?? String(cause);
    super(
      `DATA_DIR ${resolve(dir)} is not a writable directory (${reason}). The embedded database ` +
        'keeps its files there: point DATA_DIR at a writable directory (a volume in a ' +
        'container), or set DATABASE_URL to use PostgreSQL.',
    );
    this.name = 'DataDirError';
  }
}

/**
 * Creates DATA_DIR if needed and proves it writable before PGlite opens it: PGlite on a
 * read-only or full disk fails later, mid-request, with an opaque WebAssembly error.
 */
export function prepareDataDir(dir: string): void {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    writeFileSync(probe, 'ok');
    rmSync(probe);
  } catch (err) {
    throw new DataDirError(dir, err);
  }
}
