import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../helpers/http';
import { STRONG_PASSWORD } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ALLOW_REGISTRATION: 'false' } });
});
afterAll(() => t.close());

const register = (email: string) =>
  call(t, 'POST', '/api/public/v1/auth/register', {
    body: { email, password: STRONG_PASSWORD, name: 'N' },
  });

describe('ALLOW_REGISTRATION=false', () => {
  test('the very first account is still allowed, and is admin', async () => {
    const res = await register('owner@example.com');
    expect(res.status).toBe(201);
    expect(res.body.user.role).toBe('admin');
  });

  test('later registrations are refused with 403', async () => {
    const res = await register('late@example.com');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });

  test('concurrent first registrations on a fresh server make exactly one admin', async () => {
    const fresh = await createTestApp();
    try {
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          call(fresh, 'POST', '/api/public/v1/auth/register', {
            body: { email: `race${i}@example.com`, password: STRONG_PASSWORD, name: 'R' },
            ip: `10.8.0.${i}`,
          }),
        ),
      );
      expect(results.every((r) => r.status === 201)).toBe(true);
      expect(results.filter((r) => r.body.user.role === 'admin')).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });
});
