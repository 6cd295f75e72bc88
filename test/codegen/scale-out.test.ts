import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { eq } from 'drizzle-orm';
import { codegenJobs, tokenLedger } from '../../src/db/schema';
import { call } from '../helpers/http';
import { type TestRedis, testRedis } from '../helpers/private-redis';
import { missingRedis } from '../helpers/requirements';
import {
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../helpers/test-app';
import { waitFor } from '../helpers/wait';
import { seedTenant, type Tenant } from '../tenancy/fixtures';
import { codegenBody, setTokens, tokensOf } from './helpers';
import { type FakeKubeRag, startFakeKubeRag } from './kuberag-server';
import { openWs, serve } from './ws-client';

/**
 * Two app instances sharing one database and one Redis, as two replicas behind a load
 * balancer: a subscriber on B hears about a job A tracks, and when A dies B takes the job over
 * and its terminal state still arrives. TEST_DATABASE_URL / TEST_REDIS_URL when set, else a
 * shared PGlite and a private redis-server.
 */

const BASE = '/api/public/v1/graph';
const ORIGIN = 'http://localhost:8090';
const LEASE_MS = 900;
let database: TestDatabase;
let redis: TestRedis;
let rag: FakeKubeRag;
let appA: TestApp;
let appB: TestApp;
let serverB: Server<unknown>;
let tenant: Tenant;

async function submitOnA() {
  const res = await call(appA, 'POST', `${BASE}/codegen`, {
    bearer: tenant.teamMember.token,
    body: codegenBody(
      tenant.company.id,
      { id: tenant.project.id },
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
  const row = async () =>
    (await appA.database.db.select().from(codegenJobs).where(eq(codegenJobs.id, jobId)))[0]!;
  const upstreamId = await waitFor(async () => (await row()).upstreamJobId);
  await waitFor(async () => (await row()).step === 'Queued', {
    timeoutMs: 5000,
    what: 'tracker on A',
  });
  return { jobId, upstreamId, row };
}

function subscribeOnB(jobId: string) {
  const cookie = `${appB.config.session.cookieName}=${tenant.member.token}`;
  return openWs(`ws://127.0.0.1:${serverB.port}${BASE}/codegen/${jobId}/subscribe`, {
    cookie,
    origin: ORIGIN,
  });
}

describe.skipIf(missingRedis())('code generation across two instances', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await testRedis();
    const redisUrl = redis.url;
    rag = await startFakeKubeRag({ autoRun: false });
    const prefix = `kgtest:codegen:${Date.now()}:`;
    const env = {
      KUBERAG_URL: rag.url,
      KUBERAG_TIMEOUT_MS: '5000',
      KUBERAG_RETRY_DELAY_MS: '50',
      CODEGEN_LEASE_MS: String(LEASE_MS),
      CODEGEN_SWEEP_MS: '200',
      RATE_LIMIT_MAX_REQUESTS: '100000',
    };
    appA = await createTestApp({ database: database.handle, redisUrl, redisPrefix: prefix, env });
    appB = await createTestApp({ database: database.handle, redisUrl, redisPrefix: prefix, env });
    serverB = serve(appB);
    tenant = await seedTenant(appA, 'Scale');
    await setTokens(appA, tenant.company.id, 100_000);
  }, 60_000);

  afterAll(async () => {
    serverB?.stop(true);
    await appA?.close();
    await appB?.close();
    await database?.drop();
    await rag?.stop();
    await redis?.release();
  });

  test('a subscriber on B receives every change of a job A tracks', async () => {
    const { jobId, upstreamId } = await submitOnA();
    expect(appA.instance.services.codegen.runner.activeJobs()).toContain(jobId);
    expect(appB.instance.services.codegen.runner.activeJobs()).not.toContain(jobId);
    const ws = subscribeOnB(jobId);
    await ws.received(1);
    expect(ws.messages[0]).toMatchObject({ jobId, status: 'queued' });
    rag.update(upstreamId, { status: 'running', progress: 70, step: 'Writing YAML' });
    await ws.received(2);
    expect(ws.messages[1]).toMatchObject({ status: 'running', progress: 70 });
    rag.update(upstreamId, {
      status: 'succeeded',
      progress: 100,
      tokenUsage: { prompt: 5, completion: 5, total: 10 },
    });
    expect((await ws.closed).code).toBe(1000);
    expect(ws.messages.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });
  });

  test('A dies mid-job: B takes over within the lease and the terminal state is not lost', async () => {
    const before = await tokensOf(appA, tenant.company.id);
    const { jobId, upstreamId, row } = await submitOnA();
    const ws = subscribeOnB(jobId);
    await ws.received(1);
    // A crashes: it stops tracking without releasing its lease.
    await appA.instance.services.codegen.runner.stop({ releaseLeases: false });
    const diedAt = performance.now();
    // KubeRAG finishes while nobody is listening.
    rag.update(upstreamId, {
      status: 'succeeded',
      progress: 100,
      tokenUsage: { prompt: 200, completion: 100, total: 300 },
    });
    expect((await ws.closed).code).toBe(1000);
    const tookOver = performance.now() - diedAt;
    expect(tookOver).toBeLessThan(30_000);
    expect(ws.messages.at(-1)).toMatchObject({ jobId, status: 'succeeded' });
    const finished = await row();
    expect(finished).toMatchObject({ status: 'succeeded', tokensUsed: 300 });
    expect(appB.instance.services.codegen.runner.activeJobs()).not.toContain(jobId);
    // Settled exactly once: the reservation and one refund.
    const entries = await appA.database.db
      .select()
      .from(tokenLedger)
      .where(eq(tokenLedger.jobId, jobId));
    expect(entries.map((e) => [e.reason, e.amount]).sort()).toEqual([
      ['codegen.refund', 700],
      ['codegen.reserve', -1000],
    ]);
    expect(await tokensOf(appA, tenant.company.id)).toBe(before - 300);
    console.log(`takeover: terminal state delivered ${Math.round(tookOver)} ms after A died`);
  });
});
