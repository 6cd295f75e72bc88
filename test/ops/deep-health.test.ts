import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { deepHealth } from '../../src/services/health/deep-health';
import { call } from '../helpers/http';
import { freePort, startPrivateRedis } from '../helpers/private-redis';
import { missingRedisServer } from '../helpers/requirements';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { startFakeSmtp } from '../tenancy/smtp-server';

/** The Redis case starts (and kills) a private redis-server. */
const noRedisServer = missingRedisServer();

const DEEP = '/api/public/v1/healthz/deep';
/** 43 base64url characters: the shape of a session token, which must not be looked up. */
const METRICS_TOKEN = randomBytes(32).toString('base64url');
const onPglite = !process.env.TEST_DATABASE_URL;

let t: TestApp;
let admin: SeededUser;
beforeAll(async () => {
  t = await createTestApp({ env: { METRICS_TOKEN } });
  admin = await createUser(t); // the first account is the admin
});
afterAll(() => t.close());

const deep = (app: TestApp, auth: { bearer?: string; cookie?: string }) =>
  call(app, 'GET', DEEP, auth);

describe('GET /healthz/deep', () => {
  test('an admin sees every dependency with its state and latency', async () => {
    const res = await deep(t, { cookie: admin.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { checks } = res.body;
    expect(res.body).toMatchObject({ status: 'ok', failing: [], degraded: [] });
    expect(checks.database).toMatchObject({ status: 'ok', required: true });
    expect(checks.database.kind).toBe(onPglite ? 'pglite' : 'postgres');
    expect(checks.migrations).toMatchObject({ status: 'ok', required: true, pending: [] });
    expect(checks.migrations.applied).toBe(checks.migrations.expected);
    expect(checks.migrations.expected).toBeGreaterThan(0);
    if (process.env.TEST_REDIS_URL) {
      expect(checks.redis).toMatchObject({
        status: 'ok',
        required: true,
        mode: 'standalone',
        role: 'master',
      });
      expect(checks.redis.address).toBe(checks.redis.subscriberAddress);
    } else {
      expect(checks.redis).toMatchObject({ status: 'disabled', required: false, mode: 'memory' });
    }
    expect(checks.kuberag).toMatchObject({ status: 'disabled', required: false });
    expect(checks.mail).toMatchObject({ status: 'disabled', required: false });
    if (onPglite) {
      expect(checks.disk).toMatchObject({ status: 'ok', required: true });
      expect(checks.disk.freeBytes).toBeGreaterThan(0);
      expect(checks.disk.freeBytes).toBeLessThanOrEqual(checks.disk.totalBytes);
    } else {
      expect(checks.disk.status).toBe('disabled');
    }
    for (const name of Object.keys(checks)) {
      expect(typeof checks[name].latencyMs).toBe('number');
    }
  });

  test('the signing key check reports the active key and its age', async () => {
    await t.instance.services.tokens.signingKeys.ready();
    const { signingKey } = (await deep(t, { bearer: admin.token })).body.checks;
    expect(signingKey).toMatchObject({ status: 'ok', required: false, alg: 'ES256' });
    expect(signingKey.kid).toEqual(expect.any(String));
    expect(signingKey.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(signingKey.ageSeconds).toBeLessThan(600);
  });

  test('the METRICS_TOKEN bearer is accepted; others get 401, non-admins 403', async () => {
    expect((await deep(t, { bearer: METRICS_TOKEN })).status).toBe(200);
    for (const bearer of [`${METRICS_TOKEN.slice(0, -1)}x`, 'x'.repeat(43)]) {
      const res = await deep(t, { bearer });
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain(METRICS_TOKEN);
    }
    expect((await deep(t, {})).status).toBe(401);
    for (const role of ['team_member', 'manager'] as const) {
      const user = await createUser(t, { role });
      const res = await deep(t, { bearer: user.token });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
  });

  test('the route is in the OpenAPI document', async () => {
    const doc = (await call(t, 'GET', '/openapi.json')).body;
    const op = doc.paths[DEEP]?.get;
    expect(op.tags).toEqual(['health']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '503', '401', '403']));
  });
});

describe('GET /healthz/deep when a dependency fails', () => {
  test('database closed: 503 naming it, quickly, never a 500', async () => {
    const gone = await createTestApp({ env: { METRICS_TOKEN } });
    try {
      await gone.database.close();
      const started = performance.now();
      const res = await deep(gone, { bearer: METRICS_TOKEN });
      expect(performance.now() - started).toBeLessThan(2500);
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unavailable');
      expect(res.body.failing).toContain('database');
      expect(res.body.checks.database.status).toBe('fail');
      expect(res.body.checks.database.error).toEqual(expect.any(String));
    } finally {
      await gone.close();
    }
  });

  test('database hanging: the check gives up at its deadline', async () => {
    const hanging = await createTestApp({ env: { METRICS_TOKEN } });
    const realPing = hanging.database.ping;
    hanging.database.ping = () => new Promise(() => {});
    try {
      const started = performance.now();
      const res = await deep(hanging, { bearer: METRICS_TOKEN });
      const took = performance.now() - started;
      expect(res.status).toBe(503);
      expect(res.body.failing).toEqual(['database']);
      expect(res.body.checks.database.error).toContain('no answer within');
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(3000);
    } finally {
      hanging.database.ping = realPing;
      await hanging.close();
    }
  });

  test('a migration missing from the database: 503 naming migrations and the tag', async () => {
    const behind = await createTestApp({ env: { METRICS_TOKEN } });
    try {
      await behind.database.db.execute(
        sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
      );
      const res = await deep(behind, { bearer: METRICS_TOKEN });
      expect(res.status).toBe(503);
      expect(res.body.failing).toEqual(['migrations']);
      expect(res.body.checks.migrations.pending).toHaveLength(1);
      expect(res.body.checks.migrations.applied).toBe(res.body.checks.migrations.expected - 1);
    } finally {
      await behind.close();
    }
  });

  test.skipIf(noRedisServer)('Redis down: 503 naming redis', async () => {
    const redis = await startPrivateRedis();
    const app = await createTestApp({ redisUrl: redis.url, env: { METRICS_TOKEN } });
    try {
      const up = await deep(app, { bearer: METRICS_TOKEN });
      expect(up.status).toBe(200);
      expect(up.body.checks.redis).toMatchObject({ status: 'ok', role: 'master' });
      expect(up.body.checks.redis.address).toBe(`127.0.0.1:${redis.port}`);
      await redis.kill();
      await Bun.sleep(100);
      const down = await deep(app, { bearer: METRICS_TOKEN });
      expect(down.status).toBe(503);
      expect(down.body.failing).toEqual(['redis']);
      expect(down.body.checks.redis).toMatchObject({ status: 'fail', required: true });
    } finally {
      await app.close();
      await redis.kill();
    }
  });

  test('mail and KubeRAG are reported but not required; no credential in the body', async () => {
    const smtp = await startFakeSmtp();
    const closedPort = await freePort();
    const app = await createTestApp({
      env: {
        METRICS_TOKEN,
        SMTP_URL: `smtp://mailer:smtp-secret-pw@127.0.0.1:${smtp.port}`,
        KUBERAG_URL: `http://127.0.0.1:${closedPort}/graphql`,
      },
    });
    const unreachable = await createTestApp({
      env: { METRICS_TOKEN, SMTP_URL: `smtp://mailer:smtp-secret-pw@127.0.0.1:${closedPort}` },
    });
    try {
      const res = await deep(app, { bearer: METRICS_TOKEN });
      expect(res.status).toBe(200);
      expect(res.body.checks.mail).toMatchObject({
        status: 'ok',
        host: '127.0.0.1',
        port: smtp.port,
      });
      expect(smtp.received).toEqual([]); // greeted and left: no mail sent
      expect(res.body.checks.kuberag).toMatchObject({
        status: 'fail',
        required: false,
        state: 'unavailable',
        breaker: 'closed',
      });
      expect(res.body.degraded).toEqual(['kuberag']);
      const noMail = await deep(unreachable, { bearer: METRICS_TOKEN });
      expect(noMail.status).toBe(200);
      expect(noMail.body.degraded).toEqual(['mail']);
      expect(noMail.body.checks.mail.status).toBe('fail');
      for (const body of [res.body, noMail.body]) {
        expect(JSON.stringify(body)).not.toContain('smtp-secret-pw');
      }
    } finally {
      await app.close();
      await unreachable.close();
      await smtp.close();
    }
  });

  test('DATA_DIR short of space fails the disk check, with the embedded database only', async () => {
    const found = await deepHealth({
      config: t.config,
      database: t.database,
      store: t.store,
      kuberag: { health: async () => 'disabled', breaker: () => undefined },
      signingKeys: t.instance.services.tokens.signingKeys,
      clock: { now: () => Date.now() },
      disk: { minFreeBytes: Number.MAX_SAFE_INTEGER, minFreeRatio: 0 },
    });
    if (onPglite) {
      expect(found.status).toBe('unavailable');
      expect(found.failing).toEqual(['disk']);
      expect(found.checks.disk.error).toContain('MiB free');
    } else {
      // On PostgreSQL the server keeps nothing on its own disk.
      expect(found.status).toBe('ok');
      expect(found.checks.disk.status).toBe('disabled');
    }
  });
});
