import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditLogs, users } from '../../src/db/schema';
import { call } from '../helpers/http';
import { STRONG_PASSWORD } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const REGISTER = '/api/public/v1/auth/register';
const LOGIN = '/api/public/v1/auth/login';

describe('register', () => {
  test('first account becomes admin, gets a cookie and the documented shape', async () => {
    const res = await call(t, 'POST', REGISTER, {
      body: { email: '  First@Example.COM ', password: STRONG_PASSWORD, name: 'First' },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.any(String),
      email: 'first@example.com',
      name: 'First',
      avatar: null,
      role: 'admin',
      teamId: null,
    });
    expect(res.body.sessionId).toBeString();
    const cookie = res.headers.getSetCookie().join('\n');
    expect(cookie).toContain('kubegram_session=');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    const me = await call(t, 'GET', '/api/public/v1/auth/me', { cookie: res.setToken });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe('first@example.com');
  });

  test('later accounts are team members', async () => {
    const res = await call(t, 'POST', REGISTER, {
      body: { email: 'second@example.com', password: STRONG_PASSWORD, name: 'Second' },
    });
    expect(res.status).toBe(201);
    expect(res.body.user.role).toBe('team_member');
  });

  test('one account per canonical email, fullwidth letters included', async () => {
    const dup = await call(t, 'POST', REGISTER, {
      body: { email: 'ＳＥＣＯＮＤ@example.com', password: STRONG_PASSWORD, name: 'Again' },
      ip: '10.1.1.1',
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('CONFLICT');
  });

  test('zero-width and invalid emails are refused and nothing is written', async () => {
    const before = await t.database.db.select().from(users);
    for (const email of ['sec\u200bond@example.com', 'not-an-email', 'a@b', '"x"@', '']) {
      const res = await call(t, 'POST', REGISTER, {
        body: { email, password: STRONG_PASSWORD, name: 'X' },
        ip: '10.1.1.2',
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await t.database.db.select().from(users)).length).toBe(before.length);
  });

  test.each([
    ['short', 'Password must be at least 12 characters'],
    ['x'.repeat(257), 'Password must be at most 256 characters'],
    ['123456789012', 'Password is too common; choose another'],
    ['passwordpassword', 'Password is too common; choose another'],
    ['my-name-is-carol-ok', 'Password must not contain your email address'],
  ])('password %p is refused with a reason', async (password, reason) => {
    const res = await call(t, 'POST', REGISTER, {
      body: { email: 'carol@example.com', password, name: 'Carol' },
      ip: '10.1.1.3',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(reason);
    expect(res.body.details[0].path).toBe('password');
  });

  test('passwords are stored as argon2id hashes, never in clear', async () => {
    const [row] = await t.database.db
      .select()
      .from(users)
      .where(eq(users.email, 'second@example.com'));
    expect(row!.passwordHash).toStartWith('$argon2id$v=19$m=19456,t=2');
    expect(row!.passwordHash).not.toContain(STRONG_PASSWORD);
  });

  test('missing fields give field paths', async () => {
    const res = await call(t, 'POST', REGISTER, {
      body: { email: 'x@example.com' },
      ip: '10.1.1.4',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: { path: string }) => d.path)).toContain('password');
  });
});

describe('login', () => {
  test('right password: 200, new session each time (no fixation)', async () => {
    const a = await call(t, 'POST', LOGIN, {
      body: { email: 'Second@example.com', password: STRONG_PASSWORD },
    });
    const b = await call(t, 'POST', LOGIN, {
      body: { email: 'second@example.com', password: STRONG_PASSWORD },
    });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.sessionId).not.toBe(b.body.sessionId);
    expect(a.setToken).not.toBe(b.setToken);
    expect(a.body.user.email).toBe('second@example.com');
  });

  test('wrong password and unknown email answer the same 401', async () => {
    const wrong = await call(t, 'POST', LOGIN, {
      body: { email: 'second@example.com', password: 'nope-nope-nope' },
      ip: '10.2.0.1',
    });
    const unknown = await call(t, 'POST', LOGIN, {
      body: { email: 'ghost@example.com', password: 'nope-nope-nope' },
      ip: '10.2.0.1',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.error).toBe(wrong.body.error);
    expect(wrong.setToken).toBeUndefined();
  });

  test('unknown email takes about as long as a wrong password', async () => {
    const time = async (email: string) => {
      const started = performance.now();
      await call(t, 'POST', LOGIN, {
        body: { email, password: 'timing-probe-password' },
        ip: `10.3.${Math.floor(Math.random() * 250)}.1`,
      });
      return performance.now() - started;
    };
    await time('ghost@example.com'); // warm the dummy hash
    const known = (await time('second@example.com')) + (await time('second@example.com'));
    const unknown = (await time('ghost2@example.com')) + (await time('ghost3@example.com'));
    expect(unknown).toBeGreaterThan(known * 0.5);
  });

  test('audit rows for success and failure', async () => {
    const rows = await t.database.db.select().from(auditLogs);
    const actions = rows.map((r) => r.action);
    expect(actions).toContain('auth.register');
    expect(actions).toContain('auth.login');
    expect(actions).toContain('auth.login_failed');
    const failed = rows.find((r) => r.action === 'auth.login_failed');
    expect(JSON.stringify(failed)).not.toContain('nope-nope-nope');
  });
});
