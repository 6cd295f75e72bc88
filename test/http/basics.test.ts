import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let prod: TestApp;
let user: SeededUser;
beforeAll(async () => {
  t = await createTestApp({
    env: { BODY_LIMIT_BYTES: '4096', CORS_ORIGIN: 'https://ui.example.com' },
  });
  prod = await createTestApp({
    env: {
      NODE_ENV: 'production',
      APP_URL: 'https://kubegram.example.com',
      CORS_ORIGIN: 'https://ui.example.com',
      JWT_SECRET: 'r7Jq2vX9kLm4Np8Qs1Tu6Wy3Zb5Cd0Ef',
      GLOBAL_ENCRYPTION_KEY: 'Gh2Jk4Lm6Np8Qr0St3Uv5Wx7Yz9Ab1Cd',
    },
  });
  user = await createUser(t);
});
afterAll(async () => {
  await t.close();
  await prod.close();
});

describe('error envelope', () => {
  test('unknown route: 404 envelope with request id', async () => {
    const res = await call(t, 'GET', '/api/public/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: expect.any(String),
      code: 'NOT_FOUND',
      timestamp: expect.any(String),
      requestId: res.headers.get('x-request-id'),
    });
  });

  test('invalid JSON: 400 INVALID_JSON', async () => {
    const res = await call(t, 'POST', '/api/public/v1/auth/login', { body: '{"email": ' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_JSON');
  });

  test('validation: 400 VALIDATION_FAILED with field paths', async () => {
    const res = await call(t, 'POST', '/api/public/v1/auth/register', {
      body: { email: 5, password: [], name: {} },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect([...new Set(res.body.details.map((d: { path: string }) => d.path))].sort()).toEqual([
      'email',
      'name',
      'password',
    ]);
  });

  test('wrong content type: 415', async () => {
    const res = await call(t, 'POST', '/api/public/v1/auth/login', {
      body: 'email=a@b.c&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  test('body over the limit: 413 from Content-Length, before reading', async () => {
    const res = await call(t, 'POST', '/api/public/v1/auth/login', {
      body: JSON.stringify({ email: 'a'.repeat(5000), password: 'x' }),
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('body over the limit: 413 for a chunked stream without Content-Length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 10) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await t.request('/api/public/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('an internal failure is a 500 without internals', async () => {
    const broken = await createTestApp();
    const u = await createUser(broken);
    // A schema that lost a table is our fault (500); a closed or unreachable database is a
    // dependency being down (503, test/http/database-unavailable.test.ts).
    await broken.database.db.execute(sql`drop table sessions cascade`);
    const res = await call(broken, 'GET', '/api/public/v1/auth/sessions', { bearer: u.token });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: 'Internal server error',
      code: 'INTERNAL',
      timestamp: expect.any(String),
      requestId: expect.any(String),
    });
    await broken.close();
  });
});

describe('request id', () => {
  test('generated when absent, kept when sane, replaced when not', async () => {
    const generated = await call(t, 'GET', '/api/public/v1/healthz/live');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await call(t, 'GET', '/api/public/v1/healthz/live', {
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await call(t, 'GET', '/api/public/v1/healthz/live', {
      headers: { 'x-request-id': 'bad id <script>' },
    });
    expect(replaced.headers.get('x-request-id')).not.toContain('script');
  });
});

describe('CORS', () => {
  const preflight = (app: TestApp, origin: string) =>
    app.request('/api/public/v1/auth/me', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });

  test('development: any http://localhost:* origin, with credentials', async () => {
    const res = await preflight(t, 'http://localhost:5173');
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toBe(
      'GET,POST,PUT,PATCH,DELETE,OPTIONS',
    );
  });

  test('foreign origins get no CORS grant', async () => {
    const res = await preflight(t, 'https://evil.example.com');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('production: exactly CORS_ORIGIN, and no localhost', async () => {
    expect(
      (await preflight(prod, 'https://ui.example.com')).headers.get('access-control-allow-origin'),
    ).toBe('https://ui.example.com');
    expect(
      (await preflight(prod, 'http://localhost:3000')).headers.get('access-control-allow-origin'),
    ).toBeNull();
    expect(
      (await preflight(prod, 'https://ui.example.com.evil.com')).headers.get(
        'access-control-allow-origin',
      ),
    ).toBeNull();
  });
});

describe('security headers', () => {
  test('on every response; HSTS only in production', async () => {
    const dev = await call(t, 'GET', '/api/public/v1/healthz/live');
    expect(dev.headers.get('x-content-type-options')).toBe('nosniff');
    expect(dev.headers.get('x-frame-options')).toBe('DENY');
    expect(dev.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(dev.headers.get('strict-transport-security')).toBeNull();
    const p = await call(prod, 'GET', '/api/public/v1/healthz/live');
    expect(p.headers.get('strict-transport-security')).toContain('max-age=');
    const notFound = await call(prod, 'GET', '/nope');
    expect(notFound.headers.get('strict-transport-security')).toContain('max-age=');
  });

  test('production cookie: __Host- prefix and Secure', async () => {
    const res = await call(prod, 'POST', '/api/public/v1/auth/register', {
      body: { email: 'p@example.com', password: 'production passphrase 42', name: 'P' },
    });
    expect(res.status).toBe(201);
    const cookie = res.headers.getSetCookie().join();
    expect(cookie).toContain('__Host-kubegram_session=');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('HttpOnly');
  });
});

describe('OpenAPI', () => {
  test('/openapi.json is generated from the route schemas', async () => {
    const res = await call(t, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/public/v1/auth/login',
        '/api/public/v1/auth/me',
        '/api/public/v1/users/{id}',
        '/api/v1/admin/audit-logs',
        '/api/public/v1/healthz/ready',
      ]),
    );
    expect(res.body.paths['/api/public/v1/auth/register'].post.responses['409']).toBeDefined();
  });

  test('/docs renders the reference', async () => {
    const res = await t.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('/api/public/v1/auth/login');
    expect(html).toContain('/openapi.json');
  });
});

describe('no state change on GET', () => {
  test('logout by GET is not a route', async () => {
    const res = await call(t, 'GET', '/api/public/v1/auth/logout', { cookie: user.token });
    expect(res.status).toBe(404);
    expect((await call(t, 'GET', '/api/public/v1/auth/me', { cookie: user.token })).status).toBe(
      200,
    );
  });
});
