import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * A request that needs the database while it cannot be reached answers 503
 * SERVICE_UNAVAILABLE with Retry-After, in the error envelope and without internals; one that
 * the cache answers keeps working. (Against a PostgreSQL that really stops and drops
 * connections: test/scale/postgres-outage.test.ts.)
 */

let t: TestApp;
let user: SeededUser;
beforeAll(async () => {
  t = await createTestApp();
  user = await createUser(t);
  // Warm the session cache, as any signed-in client's earlier requests would have.
  await call(t, 'GET', '/api/public/v1/auth/me', { bearer: user.token });
  await t.database.close();
});
afterAll(() => t.close());

describe('database unavailable', () => {
  test('a request that needs the database: 503 envelope with Retry-After, quickly', async () => {
    const started = performance.now();
    const res = await call(t, 'POST', '/api/public/v1/companies', {
      bearer: user.token,
      body: { name: 'Never made' },
    });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toEqual({
      error: 'The database is unavailable, try again shortly',
      code: 'SERVICE_UNAVAILABLE',
      timestamp: expect.any(String),
      requestId: expect.any(String),
    });
  });

  test('a request the cache answers: still 200', async () => {
    const me = await call(t, 'GET', '/api/public/v1/auth/me', { bearer: user.token });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(user.email);
  });

  test('readiness reports the database as disconnected', async () => {
    const ready = await call(t, 'GET', '/api/public/v1/healthz/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', database: 'disconnected' });
  });
});
