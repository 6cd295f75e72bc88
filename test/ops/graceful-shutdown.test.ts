import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKeepAliveLoad } from '../helpers/keepalive-load';
import {
  registerOverHttp,
  type ServerProcess,
  serverStorageEnv,
  startServerProcess,
} from '../helpers/server-process';

/**
 * Issue #12 item 1 on the real process: SIGTERM under keep-alive load drops nothing. Readiness
 * turns 503 at once, the server keeps serving through SHUTDOWN_DELAY_MS with
 * `Connection: close` on every response, then stops listening, finishes what is in flight and
 * exits 0 within SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS.
 */

const DELAY_MS = 1500;
const TIMEOUT_MS = 5000;
const CONNECTIONS = 24;

const dataDir = mkdtempSync(join(tmpdir(), 'kg-shutdown-'));
let server: ServerProcess | undefined;
let cleanup = async () => {};
afterAll(async () => {
  if (server?.exitedAt() === undefined) server?.child.kill('SIGKILL');
  await cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A connection that sends one request, then sits idle: the server must close it itself. */
async function idleConnection(port: number) {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let closedAt: number | undefined;
  socket.on('close', () => (closedAt = performance.now()));
  const answered = new Promise((resolve) => socket.once('data', resolve));
  socket.write(`GET /api/public/v1/healthz/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await answered;
  return { closedAt: () => closedAt };
}

describe('graceful shutdown under keep-alive load', () => {
  test(`${CONNECTIONS} busy keep-alive connections through SIGTERM: 0 failed requests, 0 socket errors, exit 0`, async () => {
    const storage = await serverStorageEnv(dataDir);
    cleanup = storage.cleanup;
    server = await startServerProcess({
      env: {
        ...storage.env,
        LOG_LEVEL: 'warn',
        SHUTDOWN_DELAY_MS: String(DELAY_MS),
        SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
        RATE_LIMIT_MAX_REQUESTS: '100000000',
      },
    });
    const token = await registerOverHttp(server.url, 'shutdown@example.com');
    const idle = await idleConnection(server.port);

    let signalledAt = Number.POSITIVE_INFINITY;
    const load = startKeepAliveLoad({
      port: server.port,
      path: '/api/public/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
      connections: CONNECTIONS,
      // The listener may close only once the delay is over.
      refusalAllowedAfter: () => signalledAt + DELAY_MS,
    });
    while (load.ok() < 300 || load.open() < CONNECTIONS) await Bun.sleep(20);
    const openAtSignal = load.open();
    const okAtSignal = load.ok();

    signalledAt = performance.now();
    server.child.kill('SIGTERM');
    // The signal is delivered asynchronously: poll until readiness turns.
    let ready = await fetch(`${server.url}/api/public/v1/healthz/ready`);
    while (ready.status === 200 && performance.now() - signalledAt < 1000) {
      await Bun.sleep(10);
      ready = await fetch(`${server.url}/api/public/v1/healthz/ready`);
    }
    const readyAfterMs = performance.now() - signalledAt;
    await Bun.sleep(DELAY_MS - 200);
    const okLateInDelay = load.ok();

    const exitCode = await server.exited;
    const report = await Promise.race([load.finished, Bun.sleep(10_000).then(() => load.stop())]);
    const totalMs = server.exitedAt()! - signalledAt;
    console.log(
      `SIGTERM under load: ${openAtSignal} connections at the signal; ${report.ok} ok ` +
        `(${report.ok - okAtSignal} after the signal), ${report.failed} failed, ` +
        `${report.connectionClose} answered with Connection: close, ${report.refused} connects ` +
        `refused after the listener closed; readiness 503 after ${readyAfterMs.toFixed(0)} ms; ` +
        `exit ${exitCode} after ${totalMs.toFixed(0)} ms`,
    );

    expect(openAtSignal).toBeGreaterThanOrEqual(20);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('connection')).toBe('close');
    expect(readyAfterMs).toBeLessThan(500);
    // Still serving through the delay, each of those responses ending its connection.
    expect(okLateInDelay - okAtSignal).toBeGreaterThan(CONNECTIONS);
    expect(report.connectionClose).toBeGreaterThanOrEqual(CONNECTIONS);
    expect(report.failures).toEqual([]);
    expect(report.failed).toBe(0);
    expect(exitCode).toBe(0);
    expect(totalMs).toBeLessThanOrEqual(DELAY_MS + TIMEOUT_MS);
    // The idle keep-alive connection stayed open through the delay, and was closed for it.
    expect(idle.closedAt()).toBeGreaterThanOrEqual(signalledAt + DELAY_MS);
    // No error logged but the access lines of the 503 readiness answers.
    const errors = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((line) => line.level >= 50 && line.msg !== 'request');
    expect(errors).toEqual([]);
  }, 240_000);
});
