import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditLogs, sessions } from '../../src/db/schema';
import { manualClock } from '../../src/lib/clock';
import { sha256Hex } from '../../src/lib/tokens';
import { call } from '../helpers/http';
import { createUser, STRONG_PASSWORD } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

const clock = manualClock();
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock, env: { SESSION_TTL: '7200', SESSION_IDLE_TIMEOUT: '1800' } });
});
afterAll(() => t.close());

const ME = '/api/public/v1/auth/me';
const login = (email: string) =>
  call(t, 'POST', '/api/public/v1/auth/login', { body: { email, password: STRONG_PASSWORD } });

describe('session tokens', () => {
  test('only the SHA-256 of the token is stored', async () => {
    const u = await createUser(t);
    const [row] = await t.database.db.select().from(sessions).where(eq(sessions.id, u.sessionId));
    expect(row!.tokenHash).toBe(sha256Hex(u.token));
    expect(JSON.stringify(row)).not.toContain(u.token);
    expect(u.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('accepted as cookie and as Bearer; /me has the documented shape', async () => {
    const u = await createUser(t);
    const viaCookie = await call(t, 'GET', ME, { cookie: u.token });
    const viaBearer = await call(t, 'GET', ME, { bearer: u.token });
    expect(viaCookie.status).toBe(200);
    expect(viaBearer.status).toBe(200);
    expect(Object.keys(viaCookie.body.user).sort()).toEqual([
      'avatar',
      'email',
      'id',
      'name',
      'role',
      'teamId',
    ]);
    expect(viaCookie.body.sessionId).toBe(u.sessionId);
  });

  test('garbage, truncated and unknown tokens are 401', async () => {
    const u = await createUser(t);
    for (const bearer of [
      'garbage',
      u.token.slice(0, 42),
      `${u.token}x`,
      'A'.repeat(43),
      'a.b.c',
    ]) {
      const res = await call(t, 'GET', ME, { bearer });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
  });

  test('a bad Bearer header is not rescued by a valid cookie', async () => {
    const u = await createUser(t);
    const res = await call(t, 'GET', ME, {
      cookie: u.token,
      headers: { authorization: 'Bearer nope' },
    });
    expect(res.status).toBe(401);
  });

  test('idle timeout: 30 minutes without use ends the session', async () => {
    const u = await createUser(t);
    clock.advance(29 * 60_000);
    expect((await call(t, 'GET', ME, { bearer: u.token })).status).toBe(200);
    clock.advance(29 * 60_000); // still alive: the previous request kept it fresh
    expect((await call(t, 'GET', ME, { bearer: u.token })).status).toBe(200);
    clock.advance(31 * 60_000);
    expect((await call(t, 'GET', ME, { bearer: u.token })).status).toBe(401);
  });

  test('absolute lifetime ends the session even when it is used', async () => {
    const u = await createUser(t);
    for (let i = 0; i < 4; i++) {
      clock.advance(25 * 60_000);
      expect((await call(t, 'GET', ME, { bearer: u.token })).status).toBe(200);
    }
    clock.advance(25 * 60_000); // 125 min > SESSION_TTL of 120 min
    expect((await call(t, 'GET', ME, { bearer: u.token })).status).toBe(401);
  });

  test('last_seen_at is written in batches, at most once a minute', async () => {
    const u = await createUser(t);
    const [before] = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, u.sessionId));
    for (let i = 0; i < 20; i++) await call(t, 'GET', ME, { bearer: u.token });
    await t.instance.services.sessions.registry.stop(); // flush the buffer
    const [unchanged] = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, u.sessionId));
    expect(unchanged!.lastSeenAt.getTime()).toBe(before!.lastSeenAt.getTime());
    clock.advance(61_000);
    await call(t, 'GET', ME, { bearer: u.token });
    await t.instance.services.sessions.registry.stop();
    const [after] = await t.database.db.select().from(sessions).where(eq(sessions.id, u.sessionId));
    expect(after!.lastSeenAt.getTime()).toBe(clock.now());
    expect(after!.idleExpiresAt.getTime()).toBe(clock.now() + 1800_000);
  });
});

describe('logout and session management', () => {
  test('logout revokes the session and clears the cookie', async () => {
    const u = await createUser(t);
    const res = await call(t, 'POST', '/api/public/v1/auth/logout', { cookie: u.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Logged out' });
    expect(res.headers.getSetCookie().join()).toMatch(/kubegram_session=;.*Max-Age=0/);
    expect((await call(t, 'GET', ME, { cookie: u.token })).status).toBe(401);
    const [row] = await t.database.db.select().from(sessions).where(eq(sessions.id, u.sessionId));
    expect(row!.revokedAt).not.toBeNull();
    const audit = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, 'auth.logout'));
    expect(audit.some((a) => a.resourceId === u.sessionId)).toBe(true);
  });

  test('logout without a session is 401', async () => {
    expect((await call(t, 'POST', '/api/public/v1/auth/logout', {})).status).toBe(401);
  });

  test('list own sessions, revoke one, revoke the others', async () => {
    const u = await createUser(t);
    const second = await login(u.email);
    const third = await login(u.email);
    const list = await call(t, 'GET', '/api/public/v1/auth/sessions', { bearer: u.token });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(3);
    expect(list.body.data.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      id: expect.any(String),
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
      expiresAt: expect.any(String),
      ip: expect.any(String),
    });

    const one = await call(t, 'DELETE', `/api/public/v1/auth/sessions/${second.body.sessionId}`, {
      bearer: u.token,
    });
    expect(one.status).toBe(200);
    expect((await call(t, 'GET', ME, { bearer: second.setToken })).status).toBe(401);

    const others = await call(t, 'DELETE', '/api/public/v1/auth/sessions?others=true', {
      bearer: u.token,
    });
    expect(others.status).toBe(200);
    expect(others.body.data.revoked).toBe(1);
    expect((await call(t, 'GET', ME, { bearer: third.setToken })).status).toBe(401);
    expect((await call(t, 'GET', ME, { bearer: u.token })).status).toBe(200);
  });

  test("another user's session id is 404 and stays alive", async () => {
    const a = await createUser(t);
    const b = await createUser(t);
    const res = await call(t, 'DELETE', `/api/public/v1/auth/sessions/${b.sessionId}`, {
      bearer: a.token,
    });
    expect(res.status).toBe(404);
    expect((await call(t, 'GET', ME, { bearer: b.token })).status).toBe(200);
  });

  test('malformed session id and missing ?others are 400', async () => {
    const a = await createUser(t);
    expect(
      (await call(t, 'DELETE', '/api/public/v1/auth/sessions/not-a-uuid', { bearer: a.token }))
        .status,
    ).toBe(400);
    expect(
      (await call(t, 'DELETE', '/api/public/v1/auth/sessions', { bearer: a.token })).status,
    ).toBe(400);
  });
});

describe('clean-up', () => {
  test('sessions that ended more than 30 days ago are purged; live and recent ones stay', async () => {
    const old = await createUser(t);
    const recent = await createUser(t);
    await call(t, 'POST', '/api/public/v1/auth/logout', { bearer: recent.token });
    clock.advance(31 * 86_400_000);
    const live = await createUser(t);
    await call(t, 'POST', '/api/public/v1/auth/logout', { bearer: old.token }); // no-op: long expired
    const purged = await t.instance.services.sessions.registry.purgeExpired();
    expect(purged).toBeGreaterThanOrEqual(2);
    const ids = (await t.database.db.select({ id: sessions.id }).from(sessions)).map((r) => r.id);
    expect(ids).not.toContain(old.sessionId);
    expect(ids).not.toContain(recent.sessionId);
    expect(ids).toContain(live.sessionId);
  });
});

describe('providers', () => {
  test('lists password sign-in', async () => {
    const res = await call(t, 'GET', '/api/public/v1/auth/providers');
    expect(res.status).toBe(200);
    expect(res.body.providers).toContainEqual(
      expect.objectContaining({ id: 'password', type: 'password' }),
    );
  });
});
