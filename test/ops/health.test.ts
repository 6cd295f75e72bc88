import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('health', () => {
  test('live', async () => {
    const res = await call(t, 'GET', '/api/public/v1/healthz/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', timestamp: expect.any(String) });
  });

  test('ready: database connected, redis as configured', async () => {
    const res = await call(t, 'GET', '/api/public/v1/healthz/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      database: 'connected',
      redis: process.env.TEST_REDIS_URL ? 'connected' : 'disabled',
      timestamp: expect.any(String),
    });
  });

  test('ready answers 503 while shutting down', async () => {
    t.instance.lifecycle.shuttingDown = true;
    try {
      const res = await call(t, 'GET', '/api/public/v1/healthz/ready');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unavailable');
    } finally {
      t.instance.lifecycle.shuttingDown = false;
    }
  });

  test('ready answers 503 "disconnected" when the database does not answer within 1 s', async () => {
    const hanging = await createTestApp();
    const realPing = hanging.database.ping;
    hanging.database.ping = () => new Promise(() => {}); // a database that never answers
    try {
      const started = performance.now();
      const res = await call(hanging, 'GET', '/api/public/v1/healthz/ready');
      const took = performance.now() - started;
      expect(res.status).toBe(503);
      expect(res.body.database).toBe('disconnected');
      expect(took).toBeGreaterThanOrEqual(950);
      expect(took).toBeLessThan(2500);
    } finally {
      hanging.database.ping = realPing;
      await hanging.close();
    }
  });

  test('ready answers 503 when the database is gone', async () => {
    const gone = await createTestApp();
    await gone.database.close();
    const res = await call(gone, 'GET', '/api/public/v1/healthz/ready');
    expect(res.status).toBe(503);
    expect(res.body.database).toBe('disconnected');
    await gone.close();
  });
});
