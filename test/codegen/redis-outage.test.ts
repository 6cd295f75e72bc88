import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { eq } from 'drizzle-orm';
import { codegenJobs } from '../../src/db/schema';
import { call } from '../helpers/http';
import { type PrivateRedis, startPrivateRedis } from '../helpers/private-redis';
import { missingRedisServer } from '../helpers/requirements';
import {
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../helpers/test-app';
import { waitFor } from '../helpers/wait';
import { seedTenant, type Tenant } from '../tenancy/fixtures';
import { codegenBody, setTokens } from './helpers';
import { type FakeKubeRag, startFakeKubeRag } from './kuberag-server';
import { openWs, serve } from './ws-client';

/**
 * Pub/sub is fire-and-forget: when Redis goes away mid-job, the status message from the
 * tracking instance is lost. The subscriber's instance must still deliver the terminal state,
 * from the database. Always a private redis-server, because this test kills it.
 */

const BASE = '/api/public/v1/graph';
let database: TestDatabase;
let redis: PrivateRedis;
let rag: FakeKubeRag;
let appA: TestApp;
let appB: TestApp;
let serverB: Server<unknown>;
let tenant: Tenant;

describe.skipIf(missingRedisServer())('Redis outage while a job runs', () => {
  beforeAll(async () => {
    redis = await startPrivateRedis();
    database = await createTestDatabase();
    rag = await startFakeKubeRag({ autoRun: false });
    const env = {
      KUBERAG_URL: rag.url,
      KUBERAG_TIMEOUT_MS: '5000',
      CODEGEN_SWEEP_MS: '200',
      RATE_LIMIT_MAX_REQUESTS: '100000',
    };
    const prefix = 'kgtest:codegen-outage:';
    appA = await createTestApp({
      database: database.handle,
      redisUrl: redis.url,
      redisPrefix: prefix,
      env,
    });
    appB = await createTestApp({
      database: database.handle,
      redisUrl: redis.url,
      redisPrefix: prefix,
      env,
    });
    serverB = serve(appB);
    tenant = await seedTenant(appA, 'Outage');
    await setTokens(appA, tenant.company.id, 10_000);
  }, 60_000);

  afterAll(async () => {
    serverB?.stop(true);
    await appA?.close();
    await appB?.close();
    await database?.drop();
    await rag?.stop();
    await redis?.kill();
  });

  test('the subscriber on the other instance still gets the terminal state', async () => {
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
    const { jobId } = res.body.data;
    const row = async () =>
      (await appA.database.db.select().from(codegenJobs).where(eq(codegenJobs.id, jobId)))[0]!;
    const upstreamId = await waitFor(async () => (await row()).upstreamJobId);
    await waitFor(async () => (await row()).step === 'Queued', {
      timeoutMs: 5000,
      what: 'tracker on A',
    });

    const ws = openWs(`ws://127.0.0.1:${serverB.port}${BASE}/codegen/${jobId}/subscribe`, {
      cookie: `${appB.config.session.cookieName}=${tenant.member.token}`,
      origin: 'http://localhost:8090',
    });
    await ws.received(1);

    await redis.kill();
    await waitFor(async () => appA.store.status() !== 'connected', {
      timeoutMs: 5000,
      what: 'A to notice',
    });
    rag.update(upstreamId, {
      status: 'succeeded',
      progress: 100,
      tokenUsage: { prompt: 1, completion: 1, total: 2 },
    });
    expect((await ws.closed).code).toBe(1000);
    expect(ws.messages.at(-1)).toMatchObject({ jobId, status: 'succeeded', progress: 100 });
    expect((await row()).status).toBe('succeeded');
  });
});
