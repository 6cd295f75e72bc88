import { describe, expect, test } from 'bun:test';
import pino from 'pino';
import { type DrainableServer, GracefulShutdown } from '../../src/http/graceful-shutdown';

/**
 * The shutdown sequence in isolation, with a stand-in for Bun's server; the real process under
 * keep-alive load is test/ops/graceful-shutdown.test.ts.
 */

const logger = pino({ level: 'silent' });

function fakeServer(drains: boolean) {
  const calls: Array<{ at: number; closeActive: boolean }> = [];
  const server: DrainableServer = {
    pendingRequests: 0,
    stop(closeActive = false) {
      calls.push({ at: performance.now(), closeActive });
      return drains ? Promise.resolve() : new Promise(() => {});
    },
  };
  return { server, calls };
}

const ok = () => new Response('ok');
const ws = new Request('http://x/api/public/v1/graph/codegen/1/subscribe', {
  headers: { upgrade: 'websocket' },
});

describe('GracefulShutdown', () => {
  test('until a signal, the handler is called as it is', async () => {
    const shutdown = new GracefulShutdown({ delayMs: 0, timeoutMs: 1000, logger });
    const response = ok();
    const fetch = shutdown.wrap(() => response);
    expect(fetch(new Request('http://x/'), {})).toBe(response);
    expect(response.headers.get('connection')).toBeNull();
  });

  test('signal → readiness off, Connection: close while serving through the delay, then WebSockets closed and refused, quiesce, stop, flush', async () => {
    const shutdown = new GracefulShutdown({ delayMs: 300, timeoutMs: 2000, logger });
    const { server, calls } = fakeServer(true);
    const fetch = shutdown.wrap(() => ok());
    const events: Array<[string, number]> = [];
    const started = performance.now();
    const mark = (what: string) => events.push([what, performance.now() - started]);
    const done = shutdown.run(server, {
      stopReadiness: () => mark('readiness'),
      closeLongLived: () => mark('websockets'),
      flush: async () => {
        mark('flush');
      },
    });

    const duringDelay = await fetch(new Request('http://x/'), {});
    expect(duringDelay!.status).toBe(200);
    expect(duringDelay!.headers.get('connection')).toBe('close');
    expect((await fetch(ws, {}))!.status).toBe(200); // upgrades still served in the delay

    await Bun.sleep(350); // past the delay, inside the quiesce window
    const refusedSocket = await fetch(ws, {});
    const refusedAt = performance.now();
    const gated = fetch(new Request('http://x/'), {});
    expect(await done).toBe('clean');
    const held = await gated;

    expect(events.map(([what]) => what)).toEqual(['readiness', 'websockets', 'flush']);
    expect(events[0]![1]).toBeLessThan(50);
    expect(events[1]![1]).toBeGreaterThanOrEqual(295);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.closeActive).toBe(false);
    // What came in the quiesce window waited for the listener to close.
    expect(refusedAt).toBeGreaterThanOrEqual(calls[0]!.at);
    expect(held!.headers.get('connection')).toBe('close');
    expect(refusedSocket!.status).toBe(503);
    expect(refusedSocket!.headers.get('retry-after')).toBe('1');
    expect(await refusedSocket!.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  test('requests that outlast the budget are cut, and the whole stays within delay + timeout', async () => {
    const shutdown = new GracefulShutdown({ delayMs: 100, timeoutMs: 800, logger });
    const { server, calls } = fakeServer(false);
    const started = performance.now();
    const outcome = await shutdown.run(server, {
      stopReadiness: () => {},
      closeLongLived: () => {},
      flush: async () => {},
    });
    expect(outcome).toBe('requests-cut');
    expect(calls.map((c) => c.closeActive)).toEqual([false, true]);
    expect(performance.now() - started).toBeLessThanOrEqual(900 + 50);
  });

  test('a flush that hangs does not hold the process past the deadline', async () => {
    const shutdown = new GracefulShutdown({ delayMs: 0, timeoutMs: 600, logger });
    const { server } = fakeServer(true);
    const started = performance.now();
    const outcome = await shutdown.run(server, {
      stopReadiness: () => {},
      closeLongLived: () => {},
      flush: () => new Promise(() => {}),
    });
    expect(outcome).toBe('flush-timed-out');
    expect(performance.now() - started).toBeLessThanOrEqual(600 + 50);
  });

  test('immutable headers (a redirect) are copied, not lost', async () => {
    const shutdown = new GracefulShutdown({ delayMs: 50, timeoutMs: 400, logger });
    const fetch = shutdown.wrap(() => Response.redirect('http://x/elsewhere', 302));
    const done = shutdown.run(fakeServer(true).server, {
      stopReadiness: () => {},
      closeLongLived: () => {},
      flush: async () => {},
    });
    const res = await fetch(new Request('http://x/'), {});
    expect(res!.status).toBe(302);
    expect(res!.headers.get('location')).toBe('http://x/elsewhere');
    expect(res!.headers.get('connection')).toBe('close');
    await done;
  });
});
