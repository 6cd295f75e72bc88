import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditLogs } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createUser, type SeededUser, STRONG_PASSWORD } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let victim: SeededUser;
beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_MAX_REQUESTS: '30' } });
  victim = await createUser(t);
});
afterAll(() => t.close());

const LOGIN = '/api/public/v1/auth/login';
const attempt = (
  email: string,
  password: string,
  ip: string,
  headers: Record<string, string> = {},
) => call(t, 'POST', LOGIN, { body: { email, password }, ip, headers });

describe('login limits', () => {
  test('5 failures per (account, IP), then 429 with Retry-After — even for the right password', async () => {
    for (let i = 0; i < 5; i++)
      expect((await attempt(victim.email, 'wrong-password-x', '10.0.0.1')).status).toBe(401);
    const blocked = await attempt(victim.email, STRONG_PASSWORD, '10.0.0.1');
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    const lockouts = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, 'auth.lockout'));
    expect(lockouts.length).toBeGreaterThanOrEqual(1);
  });

  test('the attacker cannot lock the real user out from another address', async () => {
    expect((await attempt(victim.email, STRONG_PASSWORD, '10.0.0.2')).status).toBe(200);
  });

  test('a forged X-Forwarded-For does not reset the limit (TRUST_PROXY=0)', async () => {
    const res = await attempt(victim.email, 'wrong-password-x', '10.0.0.1', {
      'x-forwarded-for': '1.2.3.4',
    });
    expect(res.status).toBe(429);
  });

  test('20 failures per IP across accounts, then 429', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await attempt(`nobody${i}@example.com`, 'wrong-password-x', '10.0.0.3');
      expect(res.status).toBe(401);
    }
    expect((await attempt('another@example.com', 'wrong-password-x', '10.0.0.3')).status).toBe(429);
  });

  test('success clears the per-account counter for that address', async () => {
    const u = await createUser(t);
    for (let i = 0; i < 4; i++) await attempt(u.email, 'wrong-password-x', '10.0.0.4');
    expect((await attempt(u.email, STRONG_PASSWORD, '10.0.0.4')).status).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await attempt(u.email, 'wrong-password-x', '10.0.0.4')).status).toBe(401);
  });
});

describe('register limit', () => {
  test('10 per IP per hour', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await call(t, 'POST', '/api/public/v1/auth/register', {
        body: { email: `r${i}@example.com`, password: STRONG_PASSWORD, name: 'R' },
        ip: '10.0.1.1',
      });
      expect(res.status).toBe(201);
    }
    const res = await call(t, 'POST', '/api/public/v1/auth/register', {
      body: { email: 'r11@example.com', password: STRONG_PASSWORD, name: 'R' },
      ip: '10.0.1.1',
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).not.toBeNull();
  });
});

describe('general limit', () => {
  test('RateLimit headers, then 429 per user', async () => {
    const u = await createUser(t);
    const first = await call(t, 'GET', '/api/public/v1/auth/me', { bearer: u.token });
    expect(first.headers.get('ratelimit-limit')).toBe('30');
    expect(first.headers.get('ratelimit-remaining')).toBe('29');
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    for (let i = 0; i < 29; i++)
      await call(t, 'GET', '/api/public/v1/auth/me', { bearer: u.token });
    const limited = await call(t, 'GET', '/api/public/v1/auth/me', { bearer: u.token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).not.toBeNull();
    // Another user from the same address is not affected.
    const other = await createUser(t);
    expect((await call(t, 'GET', '/api/public/v1/auth/me', { bearer: other.token })).status).toBe(
      200,
    );
    const audit = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, 'rate_limit.lockout'));
    expect(audit.filter((a) => a.userId === Number(u.id))).toHaveLength(1);
  });

  test('health probes are not limited', async () => {
    for (let i = 0; i < 40; i++)
      await call(t, 'GET', '/api/public/v1/healthz/live', { ip: '10.0.2.1' });
    const res = await call(t, 'GET', '/api/public/v1/healthz/live', { ip: '10.0.2.1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-limit')).toBeNull();
  });
});

describe('client address behind proxies', () => {
  test('TRUST_PROXY=1 takes the address the proxy saw, not a client-written one', async () => {
    const proxied = await createTestApp({
      env: { TRUST_PROXY: '1', LOGIN_MAX_FAILURES_PER_IP: '3' },
    });
    try {
      const tryFrom = (xff: string) =>
        call(proxied, 'POST', LOGIN, {
          body: { email: 'x@example.com', password: 'wrong-password-x' },
          ip: '192.0.2.10',
          headers: { 'x-forwarded-for': xff },
        });
      // The proxy appends the real client (203.0.113.5); the attacker varies the left part.
      for (let i = 0; i < 3; i++)
        expect((await tryFrom(`6.6.6.${i}, 203.0.113.5`)).status).toBe(401);
      expect((await tryFrom('7.7.7.7, 203.0.113.5')).status).toBe(429);
      expect((await tryFrom('203.0.113.6')).status).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});
