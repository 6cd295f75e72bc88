import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './private-redis';

/** The real entry point (src/server.ts) as a child process, for tests of start-up and signals. */

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The exit code (or the signal's name) once it has exited. */
  exited: Promise<number | string | null>;
  /** performance.now() of the exit, once it happened. */
  exitedAt(): number | undefined;
}

export interface ServerProcessOptions {
  env?: Record<string, string>;
  /** Modules run before src/server.ts (`bun --preload`). */
  preload?: string[];
  /** Resolve as soon as the process runs, without waiting for it to listen. */
  noWait?: boolean;
  uid?: number;
  gid?: number;
}

export async function startServerProcess(
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const port = await freePort();
  let output = '';
  let exitedAt: number | undefined;
  const args = [...(options.preload ?? []).flatMap((p) => ['--preload', p]), 'src/server.ts'];
  const child = spawn(process.execPath, args, {
    cwd: join(import.meta.dir, '../..'),
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedAt = performance.now();
      resolve(code ?? signal);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const server = { child, url, port, output: () => output, exited, exitedAt: () => exitedAt };
  if (options.noWait) return server;
  for (let i = 0; i < 2400 && exitedAt === undefined; i++) {
    const up = await fetch(`${url}/api/public/v1/healthz/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return server;
    await Bun.sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

/** Registers an account over HTTP and returns its session token (a bearer credential). */
export async function registerOverHttp(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/api/public/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'a long passphrase for tests 7', name: 'Tester' }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return /kubegram_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
}

/**
 * Database and Redis settings for a server process: a fresh PostgreSQL database when
 * TEST_DATABASE_URL is set (dropped by `cleanup`), Redis under a fresh prefix with
 * TEST_REDIS_URL, else the embedded database in `dataDir`.
 */
export async function serverStorageEnv(
  dataDir: string,
): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const env: Record<string, string> = { DATA_DIR: dataDir };
  if (process.env.TEST_REDIS_URL) {
    env.REDIS_URL = process.env.TEST_REDIS_URL;
    env.REDIS_KEY_PREFIX = `kgproc:${crypto.randomUUID().slice(0, 8)}:`;
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) return { env, cleanup: async () => {} };
  const name = `kg_proc_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new Bun.SQL({ url: adminUrl, max: 1 });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  env.DATABASE_URL = url.toString();
  return {
    env,
    async cleanup() {
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.close({ timeout: 1 });
    },
  };
}
