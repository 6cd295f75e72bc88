import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

/**
 * Starts src/server.ts in production mode with rate limits raised, for load benchmarks.
 * BENCH_DATABASE_URL names a PostgreSQL server: a fresh database is created in it for the run
 * and dropped afterwards (unset: the embedded PGlite). BENCH_REDIS_URL: Redis (unset: memory).
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface BenchServer {
  url: string;
  child: ChildProcess;
  /** 'PostgreSQL' or 'PGlite', for the printed figures. */
  database: string;
  stop(): Promise<void>;
}

/** A fresh database on the BENCH_DATABASE_URL server, so runs never see each other's rows. */
async function freshDatabase(serverUrl: string) {
  const name = `kg_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 1 });
    },
  };
}

export async function startBenchServer(
  extraEnv: Record<string, string> = {},
): Promise<BenchServer> {
  const port = await freePort();
  const database = process.env.BENCH_DATABASE_URL
    ? await freshDatabase(process.env.BENCH_DATABASE_URL)
    : undefined;
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: url,
    CORS_ORIGIN: url,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    GLOBAL_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'kg-bench-')),
    RATE_LIMIT_MAX_REQUESTS: '1000000000',
    LOGIN_MAX_FAILURES_PER_IP: '1000000',
    REGISTER_MAX_PER_IP: '1000000',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {}),
    ...extraEnv,
  };
  // BENCH_CPU_PROFILE=<dir>: the server writes a Markdown CPU profile there when it stops.
  const profileDir = process.env.BENCH_CPU_PROFILE;
  const profileArgs = profileDir ? ['--cpu-prof-md', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profileArgs, 'src/server.ts'], {
    cwd: join(import.meta.dir, '..'),
    env,
    // Access logs go to /dev/null: their cost is measured, the terminal is spared.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${url}/api/public/v1/healthz/live`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await Bun.sleep(50);
  }
  return {
    url,
    child,
    database: database ? 'PostgreSQL' : 'PGlite',
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await database?.drop();
    },
  };
}

/** Registers a fresh account and returns its session token. */
export async function seedSession(url: string): Promise<string> {
  const email = `bench-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const res = await fetch(`${url}/api/public/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email, password: 'benchmark passphrase 2026', name: 'Bench' }),
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie') ?? '';
  const match = /kubegram_session=([^;]+)/.exec(cookie);
  if (!match) throw new Error('no session cookie');
  return match[1]!;
}
