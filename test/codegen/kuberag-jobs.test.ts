import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { asc, eq } from 'drizzle-orm';
import { codegenJobs, tokenLedger } from '../../src/db/schema';
import { manualClock } from '../../src/lib/clock';
import { call } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait';
import { seedTenant, type Tenant } from '../tenancy/fixtures';
import { codegenBody, setTokens, tokensOf, waitForStatus } from './helpers';
import { type FakeKubeRag, startFakeKubeRag } from './kuberag-server';

const BASE = '/api/public/v1/graph';
const clock = manualClock();
let rag: FakeKubeRag;
let t: TestApp;
let a: Tenant;

beforeAll(async () => {
  rag = await startFakeKubeRag({ stepMs: 5, tokensPerJob: 400 });
  t = await createTestApp({
    clock,
    env: {
      KUBERAG_URL: rag.url,
      KUBERAG_TIMEOUT_MS: '5000',
      KUBERAG_RETRY_DELAY_MS: '50',
      KUBERAG_BREAKER_THRESHOLD: '3',
      KUBERAG_BREAKER_COOLDOWN_MS: '30000',
      CODEGEN_TOKEN_ESTIMATE: '1000',
      CODEGEN_POLL_MS: '100',
      RATE_LIMIT_MAX_REQUESTS: '100000',
    },
  });
  a = await seedTenant(t, 'Rag');
}, 60_000);
afterAll(async () => {
  await t.close();
  await rag.stop();
});

const submit = (token = a.teamMember.token, provider = 'claude') =>
  call(t, 'POST', `${BASE}/codegen`, {
    bearer: token,
    body: codegenBody(
      a.company.id,
      { id: a.project.id },
      {
        input: {
          modelProvider: provider,
          modelName: 'claude-3-5-sonnet',
          graph: { nodes: [{ id: 'api', type: 'service' }], edges: [] },
        },
      },
    ),
  });

async function ledger() {
  return t.database.db
    .select()
    .from(tokenLedger)
    .where(eq(tokenLedger.companyId, a.company.id))
    .orderBy(asc(tokenLedger.id));
}

/** Every row's balance_after follows from the previous one: the balance is explained. */
function expectChained(rows: Awaited<ReturnType<typeof ledger>>, start: number, end: number) {
  let balance = start;
  for (const row of rows) {
    balance += row.amount;
    expect(row.balanceAfter).toBe(balance);
    expect(row.balanceAfter).toBeGreaterThanOrEqual(0);
  }
  expect(balance).toBe(end);
}

async function jobRow(jobId: string) {
  const [row] = await t.database.db.select().from(codegenJobs).where(eq(codegenJobs.id, jobId));
  return row!;
}

async function resetLedger(balance: number) {
  await t.database.db.delete(tokenLedger).where(eq(tokenLedger.companyId, a.company.id));
  await setTokens(t, a.company.id, balance);
}

describe('KubeRAG jobs and company tokens', () => {
  test('no balance: 402 INSUFFICIENT_TOKENS and nothing written', async () => {
    await resetLedger(0);
    const jobsBefore = (await t.database.db.select().from(codegenJobs)).length;
    const res = await submit();
    expect(res.status).toBe(402);
    expect(res.body.code).toBe('INSUFFICIENT_TOKENS');
    expect((await t.database.db.select().from(codegenJobs)).length).toBe(jobsBefore);
    expect(await ledger()).toEqual([]);
    // The built-in generator stays free and available.
    expect((await submit(a.teamMember.token, 'builtin')).status).toBe(202);
  });

  test('reserve the estimate, forward to KubeRAG, settle the reported usage', async () => {
    await resetLedger(5000);
    const res = await submit();
    expect(res.status).toBe(202);
    const { jobId } = res.body.data;
    const job = await waitForStatus(t, a.teamMember.token, jobId, 'succeeded');
    expect(job).toMatchObject({ engine: 'kuberag', tokensReserved: 1000, tokensUsed: 400 });
    expect(rag.submissions.at(-1)).toMatchObject({
      modelProvider: 'claude',
      companyId: a.company.id,
      userId: a.teamMember.id,
      projectId: a.project.id,
      context: ['production'],
    });
    expect(await tokensOf(t, a.company.id)).toBe(4600);
    const rows = await ledger();
    expect(rows.map((r) => [r.reason, r.amount, r.balanceAfter, r.jobId])).toEqual([
      ['codegen.reserve', -1000, 4000, jobId],
      ['codegen.refund', 600, 4600, jobId],
    ]);
    const result = await call(t, 'GET', `${BASE}/codegen/${jobId}/result`, {
      bearer: a.teamMember.token,
    });
    expect(result.body.data.files).toEqual([
      { path: 'rag/api.yaml', content: expect.stringContaining('fake KubeRAG') },
    ]);
  });

  test('owners and admins read the ledger; members do not; other companies 404', async () => {
    const path = `/api/public/v1/companies/${a.company.id}/ledger`;
    const own = await call(t, 'GET', path, { bearer: a.owner.token });
    expect(own.status).toBe(200);
    expect(own.body.data.map((r: any) => r.reason)).toEqual(['codegen.refund', 'codegen.reserve']);
    expect(own.body.data[0]).toMatchObject({ amount: 600, balanceAfter: 4600 });
    expect((await call(t, 'GET', path, { bearer: a.member.token })).status).toBe(403);
    const stranger = await seedTenant(t, 'Stranger');
    expect((await call(t, 'GET', path, { bearer: stranger.owner.token })).status).toBe(404);
  });

  test('result is 409 until KubeRAG finishes; usage beyond the balance never goes negative', async () => {
    await resetLedger(1200);
    rag.knobs.autoRun = false;
    try {
      const res = await submit();
      const { jobId } = res.body.data;
      const early = await call(t, 'GET', `${BASE}/codegen/${jobId}/result`, {
        bearer: a.teamMember.token,
      });
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('CONFLICT');
      const upstreamId = await waitFor(async () => (await jobRow(jobId)).upstreamJobId, {
        timeoutMs: 3000,
      });
      rag.update(upstreamId, { status: 'running', progress: 60, step: 'Thinking' });
      await waitFor(async () => (await jobRow(jobId)).progress === 60, {
        timeoutMs: 3000,
        what: 'progress 60',
      });
      rag.update(upstreamId, {
        status: 'succeeded',
        progress: 100,
        tokenUsage: { prompt: 1000, completion: 500, total: 1500 },
      });
      await waitForStatus(t, a.teamMember.token, jobId, 'succeeded');
      // Reserved 1000 of 1200, used 1500: 200 more could be charged, 300 are a recorded shortfall.
      expect(await tokensOf(t, a.company.id)).toBe(0);
      const rows = await ledger();
      expect(rows.map((r) => [r.reason, r.amount, r.balanceAfter])).toEqual([
        ['codegen.reserve', -1000, 200],
        ['codegen.charge', -200, 0],
      ]);
      expect(rows[1]!.details).toMatchObject({ used: 1500, shortfall: 300 });
    } finally {
      rag.knobs.autoRun = true;
    }
  });

  test('50 concurrent jobs: exact balance, every ledger row explained, never below zero', async () => {
    // 20 000 tokens, estimate 1000 each: at most 20 reservations can be open at once.
    await resetLedger(20_000);
    const responses = await Promise.all(Array.from({ length: 50 }, () => submit()));
    const accepted = responses.filter((r) => r.status === 202).map((r) => r.body.data.jobId);
    const refused = responses.filter((r) => r.status === 402);
    const other = responses.filter((r) => r.status !== 202 && r.status !== 402);
    expect(other.map((r) => [r.status, r.body])).toEqual([]);
    expect(accepted.length + refused.length).toBe(50);
    expect(accepted.length).toBeGreaterThanOrEqual(20);
    for (const jobId of accepted)
      await waitForStatus(t, a.teamMember.token, jobId, 'succeeded', 15_000);
    const final = await tokensOf(t, a.company.id);
    expect(final).toBe(20_000 - 400 * accepted.length);
    const rows = await ledger();
    expect(rows.length).toBe(accepted.length * 2);
    expectChained(rows, 20_000, final);
    const jobs = await t.database.db
      .select()
      .from(codegenJobs)
      .where(eq(codegenJobs.companyId, a.company.id));
    for (const jobId of accepted) {
      const job = jobs.find((j) => j.id === jobId)!;
      expect(job.settledAt).not.toBeNull();
      expect(job.tokensUsed).toBe(400);
    }
  }, 60_000);

  test('cancel refunds the reservation and cancels upstream', async () => {
    await resetLedger(3000);
    rag.knobs.autoRun = false;
    try {
      const { jobId } = (await submit()).body.data;
      const upstreamId = await waitFor(async () => (await jobRow(jobId)).upstreamJobId, {
        timeoutMs: 3000,
      });
      const res = await call(t, 'DELETE', `${BASE}/codegen/${jobId}`, {
        bearer: a.teamMember.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.data.status).toBe('cancelled');
      expect(rag.jobs.get(upstreamId)!.state.status).toBe('cancelled');
      expect(await tokensOf(t, a.company.id)).toBe(3000);
      expectChained(await ledger(), 3000, 3000);
      const again = await call(t, 'DELETE', `${BASE}/codegen/${jobId}`, {
        bearer: a.teamMember.token,
      });
      expect(again.status).toBe(409);
    } finally {
      rag.knobs.autoRun = true;
    }
  });

  test('a KubeRAG failure fails the job and charges the reported usage', async () => {
    await resetLedger(3000);
    rag.knobs.autoRun = false;
    try {
      const { jobId } = (await submit()).body.data;
      const upstreamId = await waitFor(async () => (await jobRow(jobId)).upstreamJobId, {
        timeoutMs: 3000,
      });
      rag.update(upstreamId, {
        status: 'failed',
        error: 'model refused',
        tokenUsage: { prompt: 50, completion: 0, total: 50 },
      });
      const job = await waitForStatus(t, a.teamMember.token, jobId, 'failed');
      expect(job.error).toBe('model refused');
      expect(await tokensOf(t, a.company.id)).toBe(2950);
    } finally {
      rag.knobs.autoRun = true;
    }
  });

  test('the subscription drops mid-job: reconnects and the terminal state is not lost', async () => {
    await resetLedger(3000);
    rag.knobs.autoRun = false;
    try {
      const { jobId } = (await submit()).body.data;
      const upstreamId = await waitFor(async () => (await jobRow(jobId)).upstreamJobId, {
        timeoutMs: 3000,
      });
      rag.update(upstreamId, { status: 'running', progress: 30, step: 'Half way' });
      await waitFor(async () => (await jobRow(jobId)).progress === 30, {
        timeoutMs: 3000,
        what: 'progress 30',
      });
      const connections = rag.connections;
      rag.dropSubscriptions();
      rag.update(upstreamId, {
        status: 'succeeded',
        progress: 100,
        tokenUsage: { prompt: 10, completion: 10, total: 20 },
      });
      const job = await waitForStatus(t, a.teamMember.token, jobId, 'succeeded', 5000);
      expect(job.tokensUsed).toBe(20);
      expect(rag.connections).toBeGreaterThan(connections);
      expect(await tokensOf(t, a.company.id)).toBe(2980);
    } finally {
      rag.knobs.autoRun = true;
    }
  });

  test('a job whose company is deleted meanwhile still finishes and settles', async () => {
    const gone = await seedTenant(t, 'Gone');
    await setTokens(t, gone.company.id, 2000);
    rag.knobs.autoRun = false;
    try {
      const res = await call(t, 'POST', `${BASE}/codegen`, {
        bearer: gone.teamMember.token,
        body: codegenBody(
          gone.company.id,
          { id: gone.project.id },
          {
            input: {
              modelProvider: 'claude',
              modelName: 'm',
              graph: { nodes: [{ id: 'api', type: 'service' }], edges: [] },
            },
          },
        ),
      });
      const { jobId } = res.body.data;
      const upstreamId = await waitFor(async () => (await jobRow(jobId)).upstreamJobId, {
        timeoutMs: 3000,
      });
      const deleted = await call(t, 'DELETE', `/api/public/v1/companies/${gone.company.id}`, {
        bearer: gone.owner.token,
      });
      expect(deleted.status).toBeLessThan(300);
      rag.update(upstreamId, {
        status: 'succeeded',
        progress: 100,
        tokenUsage: { prompt: 1000, completion: 500, total: 1500 },
      });
      await waitFor(async () => (await jobRow(jobId)).status === 'succeeded', {
        timeoutMs: 5000,
        what: 'settled',
      });
      expect((await jobRow(jobId)).tokensUsed).toBe(1500);
      expect(await tokensOf(t, gone.company.id)).toBe(500);
      // The job is gone with its company for everyone.
      const status = await call(t, 'GET', `${BASE}/codegen/${jobId}`, { bearer: gone.owner.token });
      expect(status.status).toBe(404);
    } finally {
      rag.knobs.autoRun = true;
    }
  });

  test('KubeRAG down: 503, breaker opens (fast, nothing written), readiness stays up; then closes', async () => {
    await resetLedger(10_000);
    const ready = () => call(t, 'GET', '/api/public/v1/healthz/ready');
    expect((await ready()).body.kuberag).toBe('connected');
    await rag.down();
    try {
      for (let i = 0; i < 3; i++) {
        const res = await submit();
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('UPSTREAM_UNAVAILABLE');
      }
      // Those jobs were persisted, failed, and their reservations returned.
      expect(await tokensOf(t, a.company.id)).toBe(10_000);
      const jobsBefore = (await t.database.db.select().from(codegenJobs)).length;
      const ledgerBefore = (await ledger()).length;
      // The open breaker answers before anything is written (no job row, no ledger entry).
      const fast = await submit();
      expect(fast.status).toBe(503);
      expect(fast.headers.get('retry-after')).toBeTruthy();
      expect((await t.database.db.select().from(codegenJobs)).length).toBe(jobsBefore);
      expect((await ledger()).length).toBe(ledgerBefore);
      clock.advance(6000);
      const down = await ready();
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({ status: 'ok', kuberag: 'unavailable' });
    } finally {
      await rag.up();
    }
    // After the cool-down, one probe goes through and closes the circuit.
    clock.advance(31_000);
    const res = await submit();
    expect(res.status).toBe(202);
    await waitForStatus(t, a.teamMember.token, res.body.data.jobId, 'succeeded');
    clock.advance(6000);
    expect((await ready()).body.kuberag).toBe('connected');
    expectChained(await ledger(), 10_000, await tokensOf(t, a.company.id));
  });
});
