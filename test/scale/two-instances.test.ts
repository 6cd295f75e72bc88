import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../helpers/http';
import { type TestRedis, testRedis } from '../helpers/private-redis';
import { missingRedis } from '../helpers/requirements';
import { createUser, STRONG_PASSWORD } from '../helpers/seed';
import {
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../helpers/test-app';
import { waitFor } from '../helpers/wait';

/**
 * Two app instances in one process sharing one database and one Redis, as two replicas behind a
 * load balancer would. Uses TEST_DATABASE_URL / TEST_REDIS_URL when set; otherwise one shared
 * PGlite and a private redis-server.
 */
const ME = '/api/public/v1/auth/me';

/** Polls until the status changes to `want`, returning how long it took. */
async function msUntil(app: TestApp, token: string, want: number, limitMs = 3000) {
  const started = performance.now();
  await waitFor(async () => (await call(app, 'GET', ME, { bearer: token })).status, {
    until: (status) => status === want,
    timeoutMs: limitMs,
    what: `status ${want}`,
  });
  return performance.now() - started;
}

describe.skipIf(missingRedis())('two instances sharing PostgreSQL/PGlite and Redis', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await testRedis();
    const prefix = `kgtest:pair:${Date.now()}:`;
    a = await createTestApp({
      database: database.handle,
      redisUrl: redis.url,
      redisPrefix: prefix,
    });
    b = await createTestApp({
      database: database.handle,
      redisUrl: redis.url,
      redisPrefix: prefix,
    });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
    await redis?.release();
  });

  test('login on A, /me on B, logout on B: A refuses within 1 s', async () => {
    const user = await createUser(a);
    const login = await call(a, 'POST', '/api/public/v1/auth/login', {
      body: { email: user.email, password: STRONG_PASSWORD },
    });
    const token = login.setToken!;
    // Warm both instances' in-process caches first: the revocation must beat a cached entry.
    expect((await call(a, 'GET', ME, { bearer: token })).status).toBe(200);
    expect((await call(b, 'GET', ME, { bearer: token })).status).toBe(200);
    expect((await call(a, 'GET', ME, { bearer: token })).status).toBe(200);

    expect((await call(b, 'POST', '/api/public/v1/auth/logout', { bearer: token })).status).toBe(
      200,
    );
    const took = await msUntil(a, token, 401);
    console.log(`revocation reached the other instance in ${took.toFixed(1)} ms`);
    expect(took).toBeLessThan(1000);
  });

  test('a role change on A ends the sessions cached on B within 1 s', async () => {
    const admin = await createUser(a, { role: 'admin' });
    const user = await createUser(a);
    expect((await call(b, 'GET', ME, { bearer: user.token })).status).toBe(200);
    const res = await call(a, 'PATCH', `/api/public/v1/users/${user.id}`, {
      bearer: admin.token,
      body: { role: 'manager' },
    });
    expect(res.status).toBe(200);
    expect(await msUntil(b, user.token, 401)).toBeLessThan(1000);
  });

  test('a profile change on A is visible on B at once', async () => {
    const user = await createUser(a);
    expect((await call(b, 'GET', ME, { bearer: user.token })).body.user.name).not.toBe('Renamed');
    await call(a, 'PATCH', `/api/public/v1/users/${user.id}`, {
      bearer: user.token,
      body: { name: 'Renamed' },
    });
    const name = await waitFor(
      async () => (await call(b, 'GET', ME, { bearer: user.token })).body.user.name,
      { until: (seen) => seen === 'Renamed', timeoutMs: 1000, what: 'the new name on B' },
    );
    expect(name).toBe('Renamed');
  });

  test('the general request limit holds across instances (synced through Redis in batches)', async () => {
    const env = { RATE_LIMIT_MAX_REQUESTS: '20' };
    const prefix = `kgtest:rl:${Date.now()}:`;
    const c = await createTestApp({
      database: database.handle,
      redisUrl: redis.url,
      redisPrefix: prefix,
      env,
    });
    const d = await createTestApp({
      database: database.handle,
      redisUrl: redis.url,
      redisPrefix: prefix,
      env,
    });
    try {
      const live = (app: TestApp) =>
        call(app, 'GET', '/api/public/v1/auth/providers', { ip: '10.78.0.1' });
      for (let i = 0; i < 10; i++) expect((await live(c)).status).toBe(200);
      await c.instance.services.limits.requests.sync();
      for (let i = 0; i < 10; i++) expect((await live(d)).status).toBe(200);
      await d.instance.services.limits.requests.sync();
      // 20 used across the pair: D has seen the total and refuses, though it served only 10.
      const refused = await live(d);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).not.toBeNull();
      // C learns the total at its next sync (every 100 ms): the slack is one sync interval.
      await live(c);
      await c.instance.services.limits.requests.sync();
      expect((await live(c)).status).toBe(429);
    } finally {
      await c.close();
      await d.close();
    }
  });

  test('rate limits hold across instances', async () => {
    const user = await createUser(a);
    for (let i = 0; i < 5; i++) {
      const app = i % 2 === 0 ? a : b;
      const res = await call(app, 'POST', '/api/public/v1/auth/login', {
        body: { email: user.email, password: 'wrong-password-x' },
        ip: '10.77.0.1',
      });
      expect(res.status).toBe(401);
    }
    const res = await call(b, 'POST', '/api/public/v1/auth/login', {
      body: { email: user.email, password: STRONG_PASSWORD },
      ip: '10.77.0.1',
    });
    expect(res.status).toBe(429);
  });
});
