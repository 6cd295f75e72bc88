import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/private-redis';

/** Issue #11 item 8: the runtime versions are stated, and `npm start` runs Bun itself. */

const root = join(import.meta.dir, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const dataDir = mkdtempSync(join(tmpdir(), 'kg-runtime-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const minimum = (range: string) => /^>=(\d+\.\d+\.\d+)$/.exec(range)?.[1];

/** `ps` of the children of `pid`: [pid, command] pairs. */
function childrenOf(pid: number): Array<[number, string]> {
  const ps = Bun.spawnSync(['ps', '-o', 'pid=,args=', '--ppid', String(pid)]);
  return ps.stdout
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, child, args] = /^\s*(\d+)\s+(.*)$/.exec(line)!;
      return [Number(child), args!] as [number, string];
    });
}

/** Start-up includes PGlite's first migration: slow on a busy machine. */
async function untilLive(url: string) {
  for (let i = 0; i < 1500; i++) {
    const up = await fetch(`${url}/api/public/v1/healthz/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await Bun.sleep(100);
  }
  throw new Error(`${url} never answered`);
}

describe('runtime requirements', () => {
  test('package.json engines name Node.js and Bun minimums, and the README states the same', () => {
    const node = minimum(pkg.engines?.node ?? '');
    const bun = minimum(pkg.engines?.bun ?? '');
    expect(node).toBeDefined();
    expect(bun).toBeDefined();
    expect(Bun.semver.satisfies(Bun.version, pkg.engines.bun)).toBe(true);
    expect(pkg.devDependencies.bun).toBe(`^${bun}`);
    expect(readme).toContain(`Node.js ≥ ${node}`);
    expect(readme).toContain(`Bun ≥ ${bun}`);
  });

  test('`npm start` execs Bun: no shell in between, and SIGTERM reaches the server', async () => {
    expect(pkg.scripts.start).toStartWith('exec bun ');
    const port = await freePort();
    const npm = Bun.spawn(['npm', 'start'], {
      cwd: root,
      env: {
        PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      stdout: 'ignore',
      stderr: 'ignore',
    });
    try {
      await untilLive(`http://127.0.0.1:${port}`);
      const children = childrenOf(npm.pid);
      expect(children).toHaveLength(1);
      expect(children[0]![1]).toBe('bun src/server.ts');
      expect(childrenOf(children[0]![0])).toEqual([]);
      npm.kill('SIGTERM');
      expect(await npm.exited).toBe(0);
    } finally {
      npm.kill('SIGKILL');
    }
  }, 240_000);

  test('the documented production command is a single Bun process', async () => {
    expect(readme).toContain('node_modules/.bin/bun src/server.ts');
    const port = await freePort();
    const server = Bun.spawn([join(root, 'node_modules/.bin/bun'), 'src/server.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      stdout: 'ignore',
      stderr: 'ignore',
    });
    try {
      await untilLive(`http://127.0.0.1:${port}`);
      const [comm] = Bun.spawnSync(['ps', '-o', 'comm=', '-p', String(server.pid)])
        .stdout.toString()
        .trim()
        .split('\n');
      expect(comm).toMatch(/^bun/);
      expect(childrenOf(server.pid)).toEqual([]);
      server.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  }, 240_000);
});
