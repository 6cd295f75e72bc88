import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { KubeRagClient, KubeRagJobError } from '../../src/clients/kuberag/client';
import type { UpstreamJobStatus } from '../../src/clients/kuberag/types';
import { manualClock } from '../../src/lib/clock';
import { AppError, type ErrorCode } from '../../src/lib/errors';
import { silentLogger } from '../helpers/test-app';
import { waitFor } from '../helpers/wait';
import { type FakeKubeRag, startFakeKubeRag } from './kuberag-server';

let rag: FakeKubeRag;
beforeAll(async () => {
  rag = await startFakeKubeRag();
});
afterAll(() => rag.stop());

const INPUT = {
  modelProvider: 'claude',
  modelName: 'claude-3-5-sonnet',
  graph: { nodes: [{ id: 'api', type: 'service' }], edges: [] },
  context: ['production'],
  companyId: '00000000-0000-4000-8000-000000000001',
  userId: '1',
};

function client(overrides: Partial<ConstructorParameters<typeof KubeRagClient>[0]> = {}) {
  return new KubeRagClient({
    url: rag.url,
    timeoutMs: 1000,
    retryAttempts: 5,
    retryDelayMs: 30,
    breakerThreshold: 3,
    breakerCooldownMs: 10_000,
    clock: manualClock(),
    logger: silentLogger,
    ...overrides,
  });
}

function collect(c: KubeRagClient, jobId: string) {
  const seen: UpstreamJobStatus[] = [];
  const done = new Promise<'complete' | Error>((resolve) => {
    c.subscribe(jobId, {
      next: (s) => seen.push(s),
      error: (err) => resolve(err as Error),
      complete: () => resolve('complete'),
    });
  });
  return { seen, done };
}

async function expectAppError(promise: Promise<unknown>, code: ErrorCode, status: number) {
  const err = await promise.then(
    () => undefined,
    (e) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  expect((err as AppError).status).toBe(status);
  return err as AppError;
}

describe('KubeRAG client against a real GraphQL server', () => {
  test('submits, streams status to completion and fetches the result', async () => {
    const c = client();
    const { jobId } = await c.submit('codegen', INPUT);
    expect(rag.submissions.at(-1)).toEqual(INPUT);
    const { seen, done } = collect(c, jobId);
    expect(await done).toBe('complete');
    expect(seen.map((s) => s.status)).toContain('running');
    expect(seen.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(seen.at(-1)!.tokenUsage!.total).toBe(400);
    const result = await c.result(jobId);
    expect(result.files).toEqual([
      { path: 'rag/api.yaml', content: expect.stringContaining('fake KubeRAG') },
    ]);
    expect((await c.status(jobId)).status).toBe('succeeded');
    await c.close();
  });

  test('an unknown job is a NOT_FOUND answer and does not count as an outage', async () => {
    const c = client();
    for (let i = 0; i < 5; i++) {
      const err = await expectAppError(c.status('nope'), 'NOT_FOUND', 404);
      expect(err).toBeInstanceOf(KubeRagJobError);
    }
    expect(c.breaker.state()).toBe('closed');
  });

  test('a result before success is a CONFLICT', async () => {
    rag.knobs.autoRun = false;
    try {
      const c = client();
      const { jobId } = await c.submit('plan', INPUT);
      await expectAppError(c.result(jobId), 'CONFLICT', 409);
      const cancelled = await c.cancel(jobId);
      expect(cancelled.status).toBe('cancelled');
    } finally {
      rag.knobs.autoRun = true;
    }
  });

  test('a slow answer times out with 503 instead of hanging', async () => {
    rag.knobs.delayMs = 500;
    try {
      const c = client({ timeoutMs: 100 });
      const started = performance.now();
      const err = await expectAppError(c.status('x'), 'UPSTREAM_UNAVAILABLE', 503);
      expect(err.message).toContain('100 ms');
      expect(performance.now() - started).toBeLessThan(400);
    } finally {
      rag.knobs.delayMs = 0;
    }
  });

  test('the breaker opens after repeated failures, fails fast, probes once, then closes', async () => {
    const clock = manualClock();
    const c = client({ clock, breakerThreshold: 3, breakerCooldownMs: 10_000 });
    rag.knobs.failing = true;
    try {
      for (let i = 0; i < 3; i++) await expectAppError(c.status('x'), 'UPSTREAM_UNAVAILABLE', 502);
      expect(c.breaker.state()).toBe('open');
      const before = rag.requests;
      const fast = await expectAppError(c.submit('codegen', INPUT), 'UPSTREAM_UNAVAILABLE', 503);
      // Fails fast: no request reached KubeRAG.
      expect(rag.requests).toBe(before);
      expect(Number(fast.headers['Retry-After'])).toBe(10);
      // Cool-down over, upstream still failing: the single probe re-opens the circuit.
      clock.advance(10_001);
      expect(c.breaker.state()).toBe('half-open');
      await expectAppError(c.status('x'), 'UPSTREAM_UNAVAILABLE', 502);
      expect(rag.requests).toBe(before + 1);
      expect(c.breaker.state()).toBe('open');
      // Upstream healthy again: the next probe closes it.
      rag.knobs.failing = false;
      clock.advance(10_001);
      const { jobId } = await c.submit('codegen', INPUT);
      expect(jobId).toStartWith('rag-');
      expect(c.breaker.state()).toBe('closed');
    } finally {
      rag.knobs.failing = false;
    }
  });

  test('while the probe runs, other calls still fail fast', async () => {
    const clock = manualClock();
    const c = client({ clock, breakerThreshold: 1, breakerCooldownMs: 1000 });
    rag.knobs.failing = true;
    await expectAppError(c.status('x'), 'UPSTREAM_UNAVAILABLE', 502);
    rag.knobs.failing = false;
    rag.knobs.delayMs = 150;
    try {
      clock.advance(1001);
      const before = rag.requests;
      const probe = c.status('x').catch((e) => e);
      await waitFor(() => rag.requests > before, { what: 'the probe to reach KubeRAG' });
      await expectAppError(c.status('x'), 'UPSTREAM_UNAVAILABLE', 503);
      expect(((await probe) as AppError).code).toBe('NOT_FOUND');
      expect(c.breaker.state()).toBe('closed');
    } finally {
      rag.knobs.delayMs = 0;
    }
  });

  test('KubeRAG down: health says unavailable, calls 503; back up: connected', async () => {
    const clock = manualClock();
    const c = client({ clock, breakerThreshold: 2, breakerCooldownMs: 5000 });
    expect(await c.healthCheck()).toBe('connected');
    await rag.down();
    try {
      await expectAppError(c.status('x'), 'UPSTREAM_UNAVAILABLE', 503);
      await expectAppError(c.status('x'), 'UPSTREAM_UNAVAILABLE', 503);
      clock.advance(6000);
      expect(await c.healthCheck()).toBe('unavailable');
    } finally {
      await rag.up();
    }
    clock.advance(6000);
    expect(await c.healthCheck()).toBe('connected');
    expect(c.breaker.state()).toBe('closed');
  });

  test('a subscription dropped mid-job reconnects and still sees the terminal state', async () => {
    rag.knobs.autoRun = false;
    try {
      const c = client({ retryDelayMs: 100 });
      const { jobId } = await c.submit('codegen', INPUT);
      const { seen, done } = collect(c, jobId);
      await waitFor(() => seen.length > 0, { what: 'the first status' });
      rag.update(jobId, { status: 'running', progress: 40, step: 'Generating' });
      await waitFor(() => seen.length > 1, { what: 'the running status' });
      const connectionsBefore = rag.connections;
      rag.dropSubscriptions();
      // The terminal state happens while the socket is down.
      rag.update(jobId, {
        status: 'succeeded',
        progress: 100,
        step: 'Done',
        tokenUsage: { prompt: 1, completion: 2, total: 3 },
      });
      expect(await done).toBe('complete');
      expect(seen.at(-1)).toMatchObject({ status: 'succeeded', tokenUsage: { total: 3 } });
      expect(rag.connections).toBe(connectionsBefore + 1);
      await c.close();
    } finally {
      rag.knobs.autoRun = true;
    }
  });

  test('a subscription gives up after the configured attempts when KubeRAG stays down', async () => {
    rag.knobs.autoRun = false;
    const c = client({ retryAttempts: 5, retryDelayMs: 20 });
    const { jobId } = await c.submit('codegen', INPUT);
    const { seen, done } = collect(c, jobId);
    await waitFor(() => seen.length > 0, { what: 'the first status' });
    await rag.down();
    try {
      const started = performance.now();
      const outcome = await done;
      expect(outcome).not.toBe('complete');
      // Five waits of 20 ms at least: it really retried.
      expect(performance.now() - started).toBeGreaterThanOrEqual(5 * 20);
    } finally {
      await rag.up();
      rag.knobs.autoRun = true;
      await c.close();
    }
  });
});
