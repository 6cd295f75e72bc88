import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import Redis from 'ioredis';

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

export function redisServerBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

export interface PrivateRedis {
  url: string;
  port: number;
  kill(): Promise<void>;
}

/**
 * Starts a throw-away redis-server on a free port, so tests can kill it without touching the
 * machine's shared Redis. Returns undefined (with the reason printed) when there is no binary.
 */
export async function startPrivateRedis(): Promise<PrivateRedis | undefined> {
  const binary = redisServerBinary();
  if (!binary) {
    console.log('[skip] redis-server binary not found: private Redis tests skipped');
    return undefined;
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitForRedis(port);
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
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await probe
        .connect()
        .then(() => probe.ping())
        .then(
          () => true,
          () => false,
        );
      if (ok) return true;
      probe.disconnect();
      await Bun.sleep(50);
    }
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
