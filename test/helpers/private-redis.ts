import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import Redis from 'ioredis';
import { onPath } from './requirements';
import { waitFor } from './wait';

/** A free loopback port, as chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  kill(): Promise<void>;
}

/** Starts redis-server on `port` (no persistence); tests guard with `missingRedisServer()`. */
export function spawnRedisServer(port: number): ChildProcess {
  const binary = onPath('redis-server');
  if (!binary) throw new Error('no redis-server on PATH: guard the test with missingRedisServer()');
  return spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
}

/**
 * Starts a throw-away redis-server on a free port, so tests can kill it without touching the
 * machine's shared Redis.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawnRedisServer(port);
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitForRedis(port))) {
    await killProcess(child);
    throw new Error(`redis-server on ${port} did not answer within 5 s`);
  }
  return {
    url,
    port,
    kill: () => killProcess(child),
  };
}

/** Waits (up to 5 s) until a Redis server or sentinel on `port` answers PING. */
export async function waitForRedis(port: number, password?: string): Promise<boolean> {
  const probe = new Redis({
    host: '127.0.0.1',
    port,
    password,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  const answers = () =>
    probe
      .connect()
      .then(() => probe.ping())
      .then(
        () => true,
        () => {
          probe.disconnect();
          return false;
        },
      );
  try {
    await waitFor(answers, { timeoutMs: 5000, intervalMs: 50, what: `redis on ${port}` });
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** SIGKILLs a child process and waits for it to be gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

export interface TestRedis {
  url: string;
  /** Kills the private redis-server, if one was started; the shared Redis is left alone. */
  release(): Promise<void>;
}

/** TEST_REDIS_URL when set, else a private redis-server. Guard with `missingRedis()`. */
export async function testRedis(): Promise<TestRedis> {
  const shared = process.env.TEST_REDIS_URL;
  if (shared) return { url: shared, release: async () => {} };
  const own = await startPrivateRedis();
  return { url: own.url, release: own.kill };
}
