import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import { auditLogs, refreshTokens, revokedTokenFamilies } from '../../src/db/schema';
import { sha256Hex } from '../../src/lib/tokens';
import { call } from '../helpers/http';
import { missingRedisServer } from '../helpers/requirements';
import { createUser, type SeededUser } from '../helpers/seed';
import { waitFor } from '../helpers/wait';
import { deviceLogin, form, type LiveApp, startLiveApp, startReplicas } from './helpers';

let live: LiveApp;
let admin: SeededUser;
let user: SeededUser;
const ME = '/api/public/v1/auth/me';
const noRedisServer = missingRedisServer();

beforeAll(async () => {
  live = await startLiveApp();
  admin = await createUser(live.t, { role: 'admin' });
  user = await createUser(live.t, { role: 'team_member' });
});
afterAll(() => live.close());

const refresh = (token: string) =>
  form(live.t, '/oauth/token', { grant_type: 'refresh_token', refresh_token: token });
const meStatus = async (token: string) => (await call(live.t, 'GET', ME, { bearer: token })).status;
const familyOf = async (token: string) => {
  const [row] = await live.t.database.db
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, sha256Hex(token)));
  return row!.familyId;
};

describe('rotation', () => {
  test('every use rotates; the refresh token is stored as sha256 only', async () => {
    const first = await deviceLogin(live.t, user);
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.headers.get('cache-control')).toBe('no-store');
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.access_token).not.toBe(first.access_token);
    const rows = await live.t.database.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.familyId, await familyOf(first.refresh_token)));
    expect(rows.length).toBe(2);
    expect(JSON.stringify(rows)).not.toContain(first.refresh_token);
    expect(JSON.stringify(rows)).not.toContain(second.body.refresh_token);
    expect(await meStatus(second.body.access_token)).toBe(200);
  });

  test('a login lasts a fixed time: rotation does not extend it', async () => {
    const first = await deviceLogin(live.t, user);
    const second = await refresh(first.refresh_token);
    const rows = await live.t.database.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.familyId, await familyOf(first.refresh_token)));
    expect(rows.length).toBe(2);
    const [a, b] = rows.map((r) => r.expiresAt.getTime());
    expect(a).toBe(b!);
    expect(a! - rows[0]!.createdAt.getTime()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(second.status).toBe(200);
  });

  test('a retry of the previous token within the grace window returns the same pair', async () => {
    const first = await deviceLogin(live.t, user);
    const a = await refresh(first.refresh_token);
    const b = await refresh(first.refresh_token);
    expect(b.status).toBe(200);
    expect(b.body.refresh_token).toBe(a.body.refresh_token);
    expect(b.body.access_token).toBe(a.body.access_token);
    // The chain goes on normally.
    const c = await refresh(a.body.refresh_token);
    expect(c.status).toBe(200);
  });

  test('reuse after the grace window revokes the whole family, with an audit row', async () => {
    const first = await deviceLogin(live.t, user);
    const second = await refresh(first.refresh_token);
    const family = await familyOf(first.refresh_token);
    await live.t.database.db
      .update(refreshTokens)
      .set({ usedAt: new Date(Date.now() - 11_000) })
      .where(eq(refreshTokens.tokenHash, sha256Hex(first.refresh_token)));
    const replay = await refresh(first.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    // The legitimate holder's newer tokens die with the family.
    expect((await refresh(second.body.refresh_token)).body.error).toBe('invalid_grant');
    expect(await meStatus(second.body.access_token)).toBe(401);
    const audit = await live.t.database.db
      .select()
      .from(auditLogs)
      .where(
        and(eq(auditLogs.action, 'auth.refresh_token_reuse'), eq(auditLogs.resourceId, family)),
      );
    expect(audit.length).toBe(1);
  });

  test('reuse of an older token (not the immediately previous) revokes even inside the window', async () => {
    const first = await deviceLogin(live.t, user);
    const second = await refresh(first.refresh_token);
    const third = await refresh(second.body.refresh_token);
    expect(third.status).toBe(200);
    const replay = await refresh(first.refresh_token);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await refresh(third.body.refresh_token)).body.error).toBe('invalid_grant');
  });

  test('N concurrent refreshes of one token: exactly one new chain', async () => {
    const first = await deviceLogin(live.t, user);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${live.base}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: first.refresh_token,
          }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as any })),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.refresh_token)).size).toBe(1);
    const rows = await live.t.database.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.familyId, await familyOf(first.refresh_token)));
    expect(rows.length).toBe(2);
    expect((await refresh(results[0]!.body.refresh_token)).status).toBe(200);
  });

  test('a token issued to another client is refused', async () => {
    const first = await deviceLogin(live.t, user);
    const res = await form(live.t, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
      client_id: 'someone-else',
    });
    expect(res.body.error).toBe('invalid_grant');
  });

  test('expired refresh tokens are refused', async () => {
    const first = await deviceLogin(live.t, user);
    await live.t.database.db
      .update(refreshTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(refreshTokens.tokenHash, sha256Hex(first.refresh_token)));
    expect((await refresh(first.refresh_token)).body.error).toBe('invalid_grant');
  });
});

describe('revocation', () => {
  test('RFC 7009: revoking the refresh token ends the family and its access tokens', async () => {
    const tokens = await deviceLogin(live.t, user);
    const res = await form(live.t, '/oauth/revoke', { token: tokens.refresh_token });
    expect(res.status).toBe(200);
    expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
    expect(await meStatus(tokens.access_token)).toBe(401);
    // Unknown tokens are fine too (no oracle), a missing one is invalid_request.
    expect((await form(live.t, '/oauth/revoke', { token: 'unknown' })).status).toBe(200);
    const missing = await form(live.t, '/oauth/revoke', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_request');
  });

  test('revoking by access token works the same way', async () => {
    const tokens = await deviceLogin(live.t, user);
    expect((await form(live.t, '/oauth/revoke', { token: tokens.access_token })).status).toBe(200);
    expect(await meStatus(tokens.access_token)).toBe(401);
    expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
  });

  test('cli-logout with a JWT revokes its family', async () => {
    const tokens = await deviceLogin(live.t, user);
    const out = await call(live.t, 'POST', '/api/public/v1/auth/cli-logout', {
      bearer: tokens.access_token,
    });
    expect(out.status).toBe(200);
    expect(await meStatus(tokens.access_token)).toBe(401);
    expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
  });

  test('disabling the user refuses earlier access JWTs (not-before) and revokes families', async () => {
    const victim = await createUser(live.t, { role: 'team_member' });
    const tokens = await deviceLogin(live.t, victim);
    expect(await meStatus(tokens.access_token)).toBe(200);
    const patch = await call(live.t, 'PATCH', `/api/public/v1/users/${victim.id}`, {
      cookie: admin.token,
      body: { disabled: true },
    });
    expect(patch.status).toBe(200);
    expect(await meStatus(tokens.access_token)).toBe(401);
    expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
    // Re-enabled, the old token stays dead (not-before), a new login works.
    await call(live.t, 'PATCH', `/api/public/v1/users/${victim.id}`, {
      cookie: admin.token,
      body: { disabled: false },
    });
    expect(await meStatus(tokens.access_token)).toBe(401);
    const fresh = await deviceLogin(live.t, {
      ...victim,
      token: (
        await call(live.t, 'POST', '/api/public/v1/auth/login', {
          body: { email: victim.email, password: victim.password },
        })
      ).setToken!,
    });
    expect(await meStatus(fresh.access_token)).toBe(200);
  });

  test.skipIf(noRedisServer)(
    'not-before reaches a second instance through pub/sub within a second',
    async () => {
      const replicas = await startReplicas(live.t, 'kgnbf');
      const { a, b } = replicas;
      try {
        const victim = await createUser(live.t, { role: 'team_member' });
        const tokens = await deviceLogin(a.t, victim);
        expect((await call(b.t, 'GET', ME, { bearer: tokens.access_token })).status).toBe(200);
        const patch = await call(a.t, 'PATCH', `/api/public/v1/users/${victim.id}`, {
          cookie: admin.token,
          body: { disabled: true },
        });
        expect(patch.status).toBe(200);
        const status = await waitFor(
          async () => (await call(b.t, 'GET', ME, { bearer: tokens.access_token })).status,
          { until: (s) => s === 401, timeoutMs: 1000, what: 'B to refuse the token' },
        );
        expect(status).toBe(401);
      } finally {
        await replicas.close();
      }
    },
  );
});

describe.skipIf(noRedisServer)('signing out everywhere else', () => {
  test('revoking the other sessions also ends CLI logins on every instance within a second', async () => {
    const replicas = await startReplicas(live.t, 'kgothers');
    const { a, b } = replicas;
    try {
      const someone = await createUser(live.t, { role: 'team_member' });
      const tokens = await deviceLogin(a.t, someone);
      expect((await call(b.t, 'GET', ME, { bearer: tokens.access_token })).status).toBe(200);
      const out = await call(a.t, 'DELETE', '/api/public/v1/auth/sessions?others=true', {
        cookie: someone.token,
      });
      expect(out.status).toBe(200);
      const status = await waitFor(
        async () => (await call(b.t, 'GET', ME, { bearer: tokens.access_token })).status,
        { until: (s) => s === 401, timeoutMs: 1000, what: 'B to refuse the token' },
      );
      expect(status).toBe(401);
      expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
      // The session that asked stays signed in.
      expect((await call(a.t, 'GET', ME, { cookie: someone.token })).status).toBe(200);
    } finally {
      await replicas.close();
    }
  });
});

describe.skipIf(noRedisServer)('Redis outage', () => {
  test('with the bus down, revocations are checked in the database: no stale acceptance', async () => {
    const replicas = await startReplicas(live.t, 'kgoutage');
    const { a, b, redis } = replicas;
    try {
      const someone = await createUser(live.t, { role: 'team_member' });
      const tokens = await deviceLogin(a.t, someone);
      const pat = (
        await call(a.t, 'POST', '/api/public/v1/auth/tokens', {
          cookie: someone.token,
          body: { name: 'outage' },
        })
      ).body.data;
      expect((await call(b.t, 'GET', ME, { bearer: tokens.access_token })).status).toBe(200);
      expect((await call(b.t, 'GET', ME, { bearer: pat.token })).status).toBe(200);
      await redis.kill();
      await waitFor(() => b.t.store.invalidationReliable(), {
        until: (reliable) => !reliable,
        timeoutMs: 1000,
        what: 'B to notice the bus is down',
      });
      expect(b.t.store.invalidationReliable()).toBe(false);
      // Revoked on A while no announcement can reach B.
      expect(
        (await call(a.t, 'POST', '/api/public/v1/auth/cli-logout', { bearer: tokens.access_token }))
          .status,
      ).toBe(200);
      expect(
        (
          await call(a.t, 'DELETE', `/api/public/v1/auth/tokens/${pat.id}`, {
            cookie: someone.token,
          })
        ).status,
      ).toBe(200);
      expect((await call(b.t, 'GET', ME, { bearer: tokens.access_token })).status).toBe(401);
      expect((await call(b.t, 'GET', ME, { bearer: pat.token })).status).toBe(401);
    } finally {
      await replicas.close();
    }
  });
});

describe('maintenance', () => {
  test('expired refresh tokens and finished device logins are purged; live ones stay', async () => {
    const stale = await deviceLogin(live.t, user);
    const fresh = await deviceLogin(live.t, user);
    await live.t.database.db
      .update(refreshTokens)
      .set({ expiresAt: new Date(Date.now() - 2 * 86_400_000) })
      .where(eq(refreshTokens.tokenHash, sha256Hex(stale.refresh_token)));
    await live.t.instance.services.tokens.maintenance.run();
    const rows = await live.t.database.db.select().from(refreshTokens);
    const hashes = rows.map((r) => r.tokenHash);
    expect(hashes).not.toContain(sha256Hex(stale.refresh_token));
    expect(hashes).toContain(sha256Hex(fresh.refresh_token));
    expect((await refresh(fresh.refresh_token)).status).toBe(200);
  });

  test('old revoked-family markers are purged (the step runs on PostgreSQL too)', async () => {
    const db = live.t.database.db;
    const oldId = crypto.randomUUID();
    const newId = crypto.randomUUID();
    await db.insert(revokedTokenFamilies).values([
      { familyId: oldId, revokedAt: new Date(Date.now() - 3 * 86_400_000) },
      { familyId: newId, revokedAt: new Date() },
    ]);
    await live.t.instance.services.tokens.maintenance.run();
    const ids = (await db.select().from(revokedTokenFamilies)).map((r) => r.familyId);
    expect(ids).not.toContain(oldId);
    expect(ids).toContain(newId);
  });
});
