import { afterAll, describe, expect, test } from 'bun:test';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/private-redis';
import { waitForLive } from '../helpers/wait';

/** The real entry point (src/server.ts) as a child process: start-up, limits, logs, shutdown. */

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

const dataDir = mkdtempSync(join(tmpdir(), 'kg-server-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['src/server.ts'], {
    cwd: join(import.meta.dir, '../..'),
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForLive(url);
  return { child, url, output: () => output, exited };
}

async function stop(server: Server) {
  server.child.kill('SIGTERM');
  return server.exited;
}

describe('server process', () => {
  test('starts, registers, keeps sessions across a restart, never logs secrets, exits 0 on SIGTERM', async () => {
    const server = await startServer({ BODY_LIMIT_BYTES: '4096' });
    expect(server.output()).toContain(
      `Kubegram Server: http://localhost:${new URL(server.url).port}`,
    );
    expect(server.output()).toContain('No accounts yet');

    const password = 'restart-proof passphrase 9';
    const reg = await fetch(`${server.url}/api/public/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'proc@example.com', password, name: 'Proc' }),
    });
    expect(reg.status).toBe(201);
    const token = /kubegram_session=([^;]+)/.exec(reg.headers.get('set-cookie') ?? '')![1]!;

    // 413 over a real socket: declared length, and a chunked stream without one.
    const declared = await fetch(`${server.url}/api/public/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(100_000),
    });
    expect(declared.status).toBe(413);
    const chunk = new TextEncoder().encode('y'.repeat(1024));
    let n = 0;
    const chunked = await fetch(`${server.url}/api/public/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({ pull: (c) => (++n > 64 ? c.close() : c.enqueue(chunk)) }),
      duplex: 'half',
    } as RequestInit).catch(() => undefined);
    // Either our envelope or Bun's own refusal; never a 2xx and never a hang.
    if (chunked) expect(chunked.status).toBe(413);

    expect(await stop(server)).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
    const log = server.output();
    expect(log).toContain('"path":"/api/public/v1/auth/register"');
    expect(log).not.toContain(password);
    expect(log).not.toContain(token);

    const again = await startServer();
    try {
      const me = await fetch(`${again.url}/api/public/v1/auth/me`, {
        headers: { cookie: `kubegram_session=${token}` },
      });
      expect(me.status).toBe(200);
      expect(again.output()).not.toContain('No accounts yet');
    } finally {
      expect(await stop(again)).toBe(0);
    }
  }, 60_000);

  test('graceful shutdown: in-flight requests finish, new connections are refused', async () => {
    const server = await startServer();
    // A request whose body trickles in over ~1.5 s is in flight when SIGTERM arrives.
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await Bun.sleep(150);
        sent += 1;
        if (sent === 1)
          controller.enqueue(new TextEncoder().encode('{"email":"slow@example.com",'));
        else if (sent < 10) controller.enqueue(new TextEncoder().encode(' '));
        else {
          controller.enqueue(new TextEncoder().encode('"password":"not-the-password"}'));
          controller.close();
        }
      },
    });
    const inFlight = fetch(`${server.url}/api/public/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    await Bun.sleep(400);
    server.child.kill('SIGTERM');
    await Bun.sleep(200);
    const refused = await fetch(`${server.url}/api/public/v1/healthz/ready`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(refused);
    const res = await inFlight;
    expect(res.status).toBe(401); // answered normally, not cut off
    expect(await server.exited).toBe(0);
  }, 30_000);
});
