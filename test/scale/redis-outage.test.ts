import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pino from 'pino';
import { call } from '../helpers/http';
import { type PrivateRedis, spawnRedisServer, startPrivateRedis } from '../helpers/private-redis';
import { missingRedisServer } from '../helpers/requirements';
import { createUser, STRONG_PASSWORD } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait';

/** Kills a private redis-server mid-test: requests must keep authenticating from the database. */
describe.skipIf(missingRedisServer())('Redis outage', () => {
  let redis: PrivateRedis;
  let t: TestApp;

  const logLines: Array<{ level: number; msg: string }> = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => logLines.push(JSON.parse(line)) },
  );

  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await createTestApp({ redisUrl: redis.url, logger });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  const ready = async () => (await call(t, 'GET', '/api/public/v1/healthz/ready')).body;

  test('requests keep working, readiness degrades, the instance reconnects', async () => {
    const user = await createUser(t);
    expect((await ready()).redis).toBe('connected');
    expect((await call(t, 'GET', '/api/public/v1/auth/me', { bearer: user.token })).status).toBe(
      200,
    );

    await redis.kill();
    await waitFor(() => t.store.status(), {
      until: (state) => state === 'degraded',
      what: 'the instance to notice the outage',
    });
    const outageStarted = performance.now();

    const me = await call(t, 'GET', '/api/public/v1/auth/me', { bearer: user.token });
    expect(me.status).toBe(200);
    const login = await call(t, 'POST', '/api/public/v1/auth/login', {
      body: { email: user.email, password: STRONG_PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(
      (await call(t, 'GET', '/api/public/v1/auth/me', { bearer: login.setToken })).status,
    ).toBe(200);
    // Revocation still holds while Redis is away: the database answers.
    expect(
      (await call(t, 'POST', '/api/public/v1/auth/logout', { bearer: login.setToken })).status,
    ).toBe(200);
    expect(
      (await call(t, 'GET', '/api/public/v1/auth/me', { bearer: login.setToken })).status,
    ).toBe(401);
    console.log(
      `requests during the outage took ${(performance.now() - outageStarted).toFixed(0)} ms in all`,
    );
    // One warning for the outage, not one per request.
    expect(logLines.filter((l) => l.msg.includes('redis unavailable'))).toHaveLength(1);
    const degraded = await call(t, 'GET', '/api/public/v1/healthz/ready');
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ status: 'ok', database: 'connected', redis: 'degraded' });

    // Bring Redis back on the same port: the instance reconnects by itself.
    const child = spawnRedisServer(redis.port);
    try {
      await waitFor(async () => (await ready()).redis, {
        until: (state) => state === 'connected',
        intervalMs: 100,
        what: 'the instance to reconnect',
      });
      expect((await ready()).redis).toBe('connected');
      expect((await call(t, 'GET', '/api/public/v1/auth/me', { bearer: user.token })).status).toBe(
        200,
      );
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
