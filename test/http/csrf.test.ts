import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../helpers/http';
import { createUser, type SeededUser, STRONG_PASSWORD } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let user: SeededUser;
beforeAll(async () => {
  t = await createTestApp({ env: { CORS_ORIGIN: 'https://ui.example.com' } });
  user = await createUser(t);
});
afterAll(() => t.close());

const OTHERS = '/api/public/v1/auth/sessions?others=true';

describe('CSRF on cookie-authenticated state changes', () => {
  test('no Origin: 403, nothing changed', async () => {
    const res = await call(t, 'DELETE', OTHERS, { cookie: user.token, origin: '' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });

  test('foreign, look-alike and null Origins: 403', async () => {
    for (const origin of [
      'https://evil.example.com',
      'https://ui.example.com.evil.com',
      'null',
      'http://localhost.evil.com',
    ]) {
      const res = await call(t, 'POST', '/api/public/v1/auth/logout', {
        cookie: user.token,
        origin,
      });
      expect(res.status).toBe(403);
    }
    expect((await call(t, 'GET', '/api/public/v1/auth/me', { cookie: user.token })).status).toBe(
      200,
    );
  });

  test('allowed Origins and Sec-Fetch-Site: same-origin pass', async () => {
    expect(
      (await call(t, 'DELETE', OTHERS, { cookie: user.token, origin: 'https://ui.example.com' }))
        .status,
    ).toBe(200);
    expect(
      (await call(t, 'DELETE', OTHERS, { cookie: user.token, origin: t.config.appUrl })).status,
    ).toBe(200);
    const sameSite = await call(t, 'DELETE', OTHERS, {
      cookie: user.token,
      headers: { 'sec-fetch-site': 'same-origin' },
      origin: '',
    });
    expect(sameSite.status).toBe(200);
  });

  test('Bearer requests are exempt', async () => {
    expect((await call(t, 'DELETE', OTHERS, { bearer: user.token })).status).toBe(200);
  });

  test('login from a foreign Origin is refused (login CSRF)', async () => {
    const res = await call(t, 'POST', '/api/public/v1/auth/login', {
      body: { email: user.email, password: STRONG_PASSWORD },
      origin: 'https://evil.example.com',
    });
    expect(res.status).toBe(403);
    expect(res.setToken).toBeUndefined();
  });

  test('a cross-site GET changes nothing: GETs are never state-changing', async () => {
    const res = await call(t, 'GET', '/api/public/v1/auth/sessions', {
      cookie: user.token,
      origin: 'https://evil.example.com',
    });
    expect(res.status).toBe(200);
  });
});
