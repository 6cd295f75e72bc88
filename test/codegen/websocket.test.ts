import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { eq } from 'drizzle-orm';
import { codegenJobs } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait';
import { seedTenant, type Tenant } from '../tenancy/fixtures';
import { codegenBody, setTokens } from './helpers';
import { type FakeKubeRag, startFakeKubeRag } from './kuberag-server';
import { openWs, rawHandshake, serve } from './ws-client';

const BASE = '/api/public/v1/graph';
const ORIGIN = 'http://localhost:8090';
let rag: FakeKubeRag;
let t: TestApp;
let server: Server<unknown>;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  rag = await startFakeKubeRag({ autoRun: false });
  t = await createTestApp({
    env: {
      KUBERAG_URL: rag.url,
      KUBERAG_TIMEOUT_MS: '5000',
      KUBERAG_RETRY_DELAY_MS: '50',
      WS_PING_INTERVAL_MS: '150',
      RATE_LIMIT_MAX_REQUESTS: '100000',
    },
  });
  server = serve(t);
  a = await seedTenant(t, 'Live');
  b = await seedTenant(t, 'Other');
  await setTokens(t, a.company.id, 1_000_000);
}, 60_000);
afterAll(async () => {
  server.stop(true);
  await t.close();
  await rag.stop();
});

const wsUrl = (jobId: string, query = '') =>
  `ws://127.0.0.1:${server.port}${BASE}/codegen/${jobId}/subscribe${query}`;
const cookie = (token: string) => `${t.config.session.cookieName}=${token}`;

/** A KubeRAG job that waits for the test to move it. */
async function kuberagJob() {
  const res = await call(t, 'POST', `${BASE}/codegen`, {
    bearer: a.teamMember.token,
    body: codegenBody(
      a.company.id,
      { id: a.project.id },
      {
        input: {
          modelProvider: 'claude',
          modelName: 'm',
          graph: { nodes: [{ id: 'api', type: 'service' }], edges: [] },
        },
      },
    ),
  });
  expect(res.status).toBe(202);
  const jobId: string = res.body.data.jobId;
  const upstreamId = await waitFor(async () => {
    const [row] = await t.database.db.select().from(codegenJobs).where(eq(codegenJobs.id, jobId));
    return row?.upstreamJobId;
  });
  // The tracker's subscription is up, and its first message (the current state) applied.
  await waitFor(async () => rag.jobs.get(upstreamId)!.listeners.size > 0, {
    timeoutMs: 5000,
    what: 'tracker',
  });
  await waitFor(async () => {
    const [row] = await t.database.db.select().from(codegenJobs).where(eq(codegenJobs.id, jobId));
    return row?.step === 'Queued';
  });
  return { jobId, upstreamId };
}

describe('WS /graph/codegen/{jobId}/subscribe', () => {
  test('cookie + allowed Origin: current status, every change, then close 1000', async () => {
    const { jobId, upstreamId } = await kuberagJob();
    const ws = openWs(wsUrl(jobId), { cookie: cookie(a.teamMember.token), origin: ORIGIN });
    const [first] = await ws.received(1);
    expect(first).toEqual({
      type: 'status',
      jobId,
      status: 'queued',
      progress: 0,
      step: 'Queued',
      updatedAt: expect.any(String),
    });
    rag.update(upstreamId, { status: 'running', progress: 40, step: 'Generating' });
    await ws.received(2);
    expect(ws.messages[1]).toMatchObject({ status: 'running', progress: 40, step: 'Generating' });
    rag.update(upstreamId, {
      status: 'succeeded',
      progress: 100,
      step: 'Done',
      tokenUsage: { prompt: 1, completion: 1, total: 2 },
    });
    await ws.received(3);
    expect(ws.messages[2]).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(await ws.closed).toEqual({ code: 1000, reason: 'Job finished' });
    // Every frame is newer than the one before.
    const times = ws.messages.map((m) => Date.parse(m.updatedAt));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });

  test('several subscribers to one job all receive every update', async () => {
    const { jobId, upstreamId } = await kuberagJob();
    const sockets = Array.from({ length: 5 }, () =>
      openWs(wsUrl(jobId), { cookie: cookie(a.member.token), origin: ORIGIN }),
    );
    for (const ws of sockets) await ws.received(1);
    for (const progress of [10, 20, 30]) {
      rag.update(upstreamId, { status: 'running', progress, step: `at ${progress}` });
      for (const ws of sockets) await ws.received(1 + progress / 10);
    }
    rag.update(upstreamId, { status: 'failed', error: 'out of ideas' });
    for (const ws of sockets) {
      expect((await ws.closed).code).toBe(1000);
      expect(ws.messages.map((m) => m.progress)).toEqual([0, 10, 20, 30, 30]);
      expect(ws.messages.at(-1)).toMatchObject({ status: 'failed', error: 'out of ideas' });
    }
  });

  test('a single-use ticket opens the socket once, without a cookie', async () => {
    const { jobId, upstreamId } = await kuberagJob();
    const issued = await call(t, 'POST', `${BASE}/codegen/${jobId}/ticket`, {
      bearer: a.teamMember.token,
    });
    expect(issued.status).toBe(201);
    const { ticket } = issued.body.data;
    const ws = openWs(wsUrl(jobId, `?ticket=${ticket}`));
    await ws.received(1);
    expect(ws.messages[0]).toMatchObject({ jobId, status: 'queued' });
    // Used once: the same ticket is refused.
    const reuse = await rawHandshake(
      server.port!,
      `${BASE}/codegen/${jobId}/subscribe?ticket=${ticket}`,
    );
    expect(reuse.status).toBe(401);
    reuse.end();
    rag.update(upstreamId, { status: 'cancelled' });
    expect((await ws.closed).code).toBe(1000);
  });

  test('a ticket only opens the job it was issued for', async () => {
    const first = await kuberagJob();
    const second = await kuberagJob();
    const issued = await call(t, 'POST', `${BASE}/codegen/${first.jobId}/ticket`, {
      bearer: a.teamMember.token,
    });
    const wrong = await rawHandshake(
      server.port!,
      `${BASE}/codegen/${second.jobId}/subscribe?ticket=${issued.body.data.ticket}`,
    );
    expect(wrong.status).toBe(401);
    wrong.end();
    const garbage = await rawHandshake(
      server.port!,
      `${BASE}/codegen/${first.jobId}/subscribe?ticket=nope`,
    );
    expect(garbage.status).toBe(401);
    garbage.end();
    for (const job of [first, second]) rag.update(job.upstreamId, { status: 'cancelled' });
  });

  test('foreign Origin is refused before the upgrade, with cookie or bearer', async () => {
    const { jobId, upstreamId } = await kuberagJob();
    const path = `${BASE}/codegen/${jobId}/subscribe`;
    const refused: Array<Record<string, string>> = [
      { Cookie: cookie(a.teamMember.token), Origin: 'https://evil.example' },
      { Authorization: `Bearer ${a.teamMember.token}`, Origin: 'https://evil.example' },
      { Cookie: cookie(a.teamMember.token), Origin: 'null' },
      // A cookie without any Origin is not from our pages either.
      { Cookie: cookie(a.teamMember.token) },
    ];
    for (const headers of refused) {
      const res = await rawHandshake(server.port!, path, headers);
      expect(res.status).toBe(403);
      res.end();
    }
    const anonymous = await rawHandshake(server.port!, path, { Origin: ORIGIN });
    expect(anonymous.status).toBe(401);
    anonymous.end();
    // Bearer from a non-browser client (no Origin) is fine.
    const ok = await rawHandshake(server.port!, path, {
      Authorization: `Bearer ${a.teamMember.token}`,
    });
    expect(ok.status).toBe(101);
    ok.end();
    rag.update(upstreamId, { status: 'cancelled' });
  });

  test('a job the caller may not see closes with 4404 before any data', async () => {
    const { jobId, upstreamId } = await kuberagJob();
    const foreign = openWs(wsUrl(jobId), { cookie: cookie(b.owner.token), origin: ORIGIN });
    expect(await foreign.closed).toEqual({ code: 4404, reason: 'Job not found' });
    expect(foreign.messages).toEqual([]);
    const unknown = openWs(wsUrl('00000000-0000-4000-8000-000000000000'), {
      cookie: cookie(a.owner.token),
      origin: ORIGIN,
    });
    expect((await unknown.closed).code).toBe(4404);
    const malformed = openWs(wsUrl('nope'), { cookie: cookie(a.owner.token), origin: ORIGIN });
    expect((await malformed.closed).code).toBe(4404);
    rag.update(upstreamId, { status: 'cancelled' });
  });

  test('the server pings idle subscribers', async () => {
    const { jobId, upstreamId } = await kuberagJob();
    const raw = await rawHandshake(server.port!, `${BASE}/codegen/${jobId}/subscribe`, {
      Authorization: `Bearer ${a.teamMember.token}`,
    });
    expect(raw.status).toBe(101);
    await waitFor(async () => raw.frames().some((f) => f.opcode === 0x9), {
      timeoutMs: 3000,
      what: 'a ping frame',
    });
    expect(
      JSON.parse(
        raw
          .frames()
          .find((f) => f.opcode === 0x1)!
          .payload.toString(),
      ).jobId,
    ).toBe(jobId);
    raw.end();
    rag.update(upstreamId, { status: 'cancelled' });
  });

  test('a built-in job can be watched to completion; a finished job sends its state and closes', async () => {
    const res = await call(t, 'POST', `${BASE}/codegen`, {
      bearer: a.teamMember.token,
      body: codegenBody(a.company.id, { id: a.project.id }),
    });
    const { jobId } = res.body.data;
    const ws = openWs(wsUrl(jobId), { cookie: cookie(a.teamMember.token), origin: ORIGIN });
    expect((await ws.closed).code).toBe(1000);
    expect(ws.messages.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });
    const progress = ws.messages.map((m) => m.progress);
    expect([...progress].sort((x, y) => x - y)).toEqual(progress);
    const late = openWs(wsUrl(jobId), { cookie: cookie(a.teamMember.token), origin: ORIGIN });
    expect((await late.closed).code).toBe(1000);
    expect(late.messages).toEqual([ws.messages.at(-1)]);
  });
});
