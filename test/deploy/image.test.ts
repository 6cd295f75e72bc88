import { afterAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { freePort } from '../helpers/private-redis';
import { createTestApp } from '../helpers/test-app';
import {
  commandOf,
  envOf,
  isIgnored,
  parseDockerfile,
  parseDockerignore,
  ROOT,
  readRepoFile,
} from './dockerfile';
import { dummySecret } from './environment';
import { type BuiltImage, buildContextFiles, buildWithoutDocker, parseCopy } from './image-build';
import { type Child, pathWithBun, startChild, waitForOk } from './process';

/**
 * The container image's contract (Dockerfile + .dockerignore), checked without a Docker
 * daemon, which this machine cannot run: see test/deploy/image-build.ts for the stand-in
 * build that starts the server from exactly the files the image would hold.
 */

const stages = parseDockerfile(readRepoFile('Dockerfile'));
const runtime = stages.at(-1)!;
const packageJson = JSON.parse(readRepoFile('package.json'));
const lock = JSON.parse(readRepoFile('package-lock.json'));
const ignoreRules = parseDockerignore(readRepoFile('.dockerignore'));

const only = (keyword: string) =>
  runtime.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const healthcheck = only('HEALTHCHECK')[0] ?? '';
const healthCommand = commandOf(healthcheck.slice(healthcheck.indexOf('CMD ') + 4));
const healthPath = /\/api\/[^'" )]+/.exec(healthcheck)?.[0];

describe('Dockerfile', () => {
  test('every stage is the official oven/bun image at the Bun version of package.json and the lock', () => {
    const pinned = packageJson.devDependencies.bun.replace(/^[\^~=]/, '');
    expect(lock.packages['node_modules/bun'].version).toBe(pinned);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages)
      expect(stage.image).toMatch(new RegExp(`^oven/bun:${pinned}(-[a-z]+)?$`));
  });

  test('installs production dependencies only, from the lock file', () => {
    const install = stages.flatMap((s) => s.instructions).find((i) => /bun install/.test(i.args));
    expect(install?.args).toContain('--production');
    expect(install?.args).toContain('--frozen-lockfile');
    expect(runtime.instructions.some((i) => /bun install/.test(i.args))).toBe(false);
  });

  test('runs as a non-root user, by number (Kubernetes runAsNonRoot needs one)', () => {
    const user = only('USER').at(-1);
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(user!.split(':')[0]).not.toBe('0');
  });

  test('exposes the default PORT of src/config.ts and stops with SIGTERM', () => {
    const defaultPort = loadConfig({ NODE_ENV: 'test' }).port;
    expect(only('EXPOSE')).toEqual([String(defaultPort)]);
    expect(only('STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  test('DATA_DIR is a volume; production mode; no secret baked in', () => {
    const env = envOf(runtime);
    expect(env.NODE_ENV).toBe('production');
    expect(env.DATA_DIR).toBeDefined();
    expect(JSON.parse(only('VOLUME')[0] ?? '[]')).toContain(env.DATA_DIR);
    const declared = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
      .map((i) => i.args)
      .join(' ');
    expect(declared).not.toMatch(/SECRET|PASSWORD|TOKEN|ENCRYPTION_KEY|DATABASE_URL|REDIS_URL/);
  });

  test('the health check probes a route the app serves', async () => {
    expect(healthPath).toBe('/api/public/v1/healthz/live');
    const t = await createTestApp();
    try {
      expect((await t.request(healthPath!)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

/** Package names src/ imports, builtins left out. */
function importedPackages(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name)) {
        for (const [, spec] of readRepoFile(path.slice(ROOT.length + 1)).matchAll(
          /(?:from|import)\s*\(?\s*'([^'.][^']*)'/g,
        )) {
          if (spec!.startsWith('node:') || spec === 'bun' || spec!.startsWith('bun:')) continue;
          const parts = spec!.split('/');
          names.add(spec!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
        }
      }
    }
  };
  walk(join(ROOT, 'src'));
  return names;
}

describe('.dockerignore', () => {
  test('lets in every file the image copies, and keeps tests, benchmarks, .git, data and .env out', () => {
    const context = new Set(buildContextFiles());
    for (const dir of ['src', 'drizzle']) {
      const files = buildContextFiles().filter((f) => f.startsWith(`${dir}/`));
      expect(files.length).toBeGreaterThan(0);
    }
    for (const stage of stages) {
      for (const copy of stage.instructions.filter((i) => i.keyword === 'COPY')) {
        const step = parseCopy(copy.args);
        if (step.from) continue;
        for (const source of step.sources) {
          expect({ source, ignored: isIgnored(ignoreRules, source) }).toEqual({
            source,
            ignored: false,
          });
        }
      }
    }
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.json']) {
      expect({ file, inContext: context.has(file) }).toEqual({ file, inContext: true });
    }
    for (const path of [
      'test/ops/health.test.ts',
      'bench/run.ts',
      '.git/HEAD',
      'node_modules/hono/package.json',
      'data/pglite/PG_VERSION',
      '.env',
      '.env.docker',
      'Dockerfile',
    ]) {
      expect({ path, ignored: isIgnored(ignoreRules, path) }).toEqual({ path, ignored: true });
    }
  });

  test('every package src/ imports is a production dependency (the password list comes with @zxcvbn-ts/language-common)', () => {
    const imported = importedPackages();
    expect(imported.has('@zxcvbn-ts/language-common')).toBe(true);
    const missing = [...imported].filter((name) => !(name in packageJson.dependencies));
    expect(missing).toEqual([]);
  });
});

describe('the image, built without Docker', () => {
  let server: Child | undefined;
  let image: BuiltImage | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'kg-image-data-'));
  afterAll(async () => {
    await server?.stop();
    image?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  test('starts in production from the image files alone, passes its HEALTHCHECK, exits 0 on its STOPSIGNAL', async () => {
    image = buildWithoutDocker(stages);
    console.log(`[image] not reproduced without Docker: ${image.skipped.join('; ') || 'nothing'}`);
    const port = await freePort();
    const env = {
      ...envOf(runtime),
      // The volume's path (/data) is the daemon's business; a temporary directory stands in.
      DATA_DIR: dataDir,
      PATH: pathWithBun(),
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_URL: `http://localhost:${port}`,
      CORS_ORIGIN: `http://localhost:${port}`,
      JWT_SECRET: dummySecret(),
      GLOBAL_ENCRYPTION_KEY: dummySecret(),
      BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
    };
    const [command, ...args] = commandOf(only('CMD')[0]!);
    server = startChild(command!, args, { cwd: image.appDir, env });
    const up = await waitForOk(`http://127.0.0.1:${port}/api/public/v1/healthz/ready`, server);
    expect({ up, output: up ? '' : server.output() }).toEqual({ up: true, output: '' });

    const [probe, ...probeArgs] = healthCommand;
    const check = spawnSync(probe!, probeArgs, { cwd: image.appDir, env, encoding: 'utf8' });
    expect(check.status).toBe(0);

    expect(await server.stop()).toBe(0);
    server = undefined;
  }, 120_000);
});
