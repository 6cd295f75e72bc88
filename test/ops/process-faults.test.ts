import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unprivilegedUser } from '../helpers/private-postgres';
import { startServerProcess } from '../helpers/server-process';

/**
 * Faults of the process itself: an exception nobody catches does not end it, and a DATA_DIR
 * the embedded database cannot write stops start-up with a message that says so.
 */

const root = mkdtempSync(join(tmpdir(), 'kg-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const isRoot = process.getuid?.() === 0;

async function startFailure(env: Record<string, string>, as?: { uid: number; gid: number }) {
  const server = await startServerProcess({ env, noWait: true, ...as });
  const code = await Promise.race([server.exited, Bun.sleep(120_000).then(() => 'timeout')]);
  if (code === 'timeout') server.child.kill('SIGKILL');
  return { code, output: server.output() };
}

describe('process faults', () => {
  test('an uncaught exception and an unhandled rejection are logged; the process keeps serving', async () => {
    const server = await startServerProcess({
      env: { DATA_DIR: join(root, 'guard'), LOG_LEVEL: 'warn' },
      preload: [join(import.meta.dir, '../fixtures/late-faults.ts')],
    });
    try {
      while (!server.output().includes('unhandled rejection')) {
        expect(server.exitedAt()).toBeUndefined();
        await Bun.sleep(100);
      }
      await Bun.sleep(200);
      expect(server.output()).toContain('late fault: thrown from a timer');
      expect(server.output()).toContain('uncaught exception; still serving');
      expect(server.output()).toContain('late fault: rejected with no handler');
      const live = await fetch(`${server.url}/api/public/v1/healthz/live`);
      expect(live.status).toBe(200);
      expect(server.exitedAt()).toBeUndefined();
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, 240_000);

  test('DATA_DIR that cannot be a directory: a clear start-up error, exit 1', async () => {
    const file = join(root, 'not-a-dir');
    writeFileSync(file, 'x');
    const { code, output } = await startFailure({ DATA_DIR: join(file, 'data') });
    expect(code).toBe(1);
    expect(output).toContain(`DATA_DIR ${join(file, 'data')} is not a writable directory`);
    expect(output).toContain('set DATABASE_URL');
    expect(output).not.toContain('    at '); // a message, not a stack trace
  }, 240_000);

  // Root writes through permission bits: as root, the server runs as an unprivileged user.
  const runAs = isRoot ? unprivilegedUser() : undefined;
  test.skipIf(isRoot && !runAs)(
    'read-only DATA_DIR: a clear start-up error naming it, in development and in production',
    async () => {
      const dir = join(root, 'read-only');
      mkdirSync(dir);
      if (runAs) chownSync(dir, runAs.uid, runAs.gid);
      chmodSync(dir, 0o555);
      const production = {
        NODE_ENV: 'production',
        APP_URL: 'https://kubegram.example.com',
        CORS_ORIGIN: 'https://kubegram.example.com',
        JWT_SECRET: 'Zq8vW2nR5tY7uK1mP4sX9cB3dF6gH0jL',
        GLOBAL_ENCRYPTION_KEY: 'Xa7Lm2Qp9Rt4Vw6Yz1Bc3Df5Gh8Jk0Ns',
      };
      for (const env of [{ DATA_DIR: dir }, { ...production, DATA_DIR: dir }]) {
        const { code, output } = await startFailure({ ...env, HOME: root }, runAs);
        expect(code).toBe(1);
        expect(output).toContain(`DATA_DIR ${dir} is not a writable directory (EACCES)`);
      }
    },
    240_000,
  );
});
