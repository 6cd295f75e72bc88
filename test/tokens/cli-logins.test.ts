import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../../src/config';
import { auditLogs, personalAccessTokens, refreshTokens } from '../../src/db/schema';
import { manualClock } from '../../src/lib/clock';
import { sha256Hex } from '../../src/lib/tokens';
import { call } from '../helpers/http';
import { missingRedisServer } from '../helpers/requirements';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait';
import { deviceLogin, form, type LiveApp, startLiveApp, startReplicas } from './helpers';

/** Issue #11 item 7: CLI logins expire (CLI_TOKEN_TTL), carry the role's scopes, and renew. */

const AUTH = '/api/public/v1/auth';
const ME = `${AUTH}/me`;
const DAY = 86_400_000;
/** The two-instance case starts a private redis-server it can kill. */
const noRedisServer = missingRedisServer();
let live: LiveApp;
let admin: SeededUser;
let manager: SeededUser;

beforeAll(async () => {
  live = await startLiveApp();
  admin = await createUser(live.t, { role: 'admin' });
  manager = await createUser(live.t, { role: 'manager' });
});
afterAll(() => live.close());

const cliLogin = (t: TestApp, user: SeededUser) =>
  call(t, 'POST', `${AUTH}/cli-login`, { body: { email: user.email, password: user.password } });
const rotate = (t: TestApp, bearer: string) => call(t, 'POST', `${AUTH}/tokens/rotate`, { bearer });
const meStatus = async (t: TestApp, bearer: string) =>
  (await call(t, 'GET', ME, { bearer })).status;
const patRow = async (token: string) =>
  (
    await live.t.database.db
      .select()
      .from(personalAccessTokens)
      .where(eq(personalAccessTokens.tokenHash, sha256Hex(token)))
  )[0]!;

describe('CLI_TOKEN_TTL', () => {
  test('accepts seconds or 90d / 12h / 30m, refuses anything else by name', () => {
    const ttl = (v?: string) => loadConfig({ NODE_ENV: 'test', CLI_TOKEN_TTL: v }).tokens;
    expect(ttl().cliTtlSeconds).toBe(90 * 86_400);
    expect(ttl('12h').cliTtlSeconds).toBe(12 * 3600);
    expect(ttl('30m').cliTtlSeconds).toBe(1800);
    expect(ttl('7200').cliTtlSeconds).toBe(7200);
    for (const bad of ['90 days', '-1d', '0', '10s', '1.5d', '100000d']) {
      let error: unknown;
      try {
        ttl(bad);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join()).toContain(
        `CLI_TOKEN_TTL: expected seconds or a duration like 90d`,
      );
    }
  });
});

describe('cli-login', () => {
  test('answers a token that expires after 90 days by default, with the role’s scopes', async () => {
    const res = await cliLogin(live.t, manager);
    expect(res.status).toBe(200);
    const expiresAt = Date.parse(res.body.expiresAt);
    expect(Math.abs(expiresAt - (Date.now() + 90 * DAY))).toBeLessThan(60_000);
    const row = await patRow(res.body.token);
    expect(row.expiresAt!.getTime()).toBe(expiresAt);
    expect(row.scopes).toEqual(['read', 'write']);
    const adminToken = await patRow((await cliLogin(live.t, admin)).body.token);
    expect(adminToken.scopes).toEqual(['read', 'write', 'admin']);
  });

  test('CLI_TOKEN_TTL sets the lifetime; past it the token is refused', async () => {
    const clock = manualClock();
    const t = await createTestApp({ env: { CLI_TOKEN_TTL: '12h' }, clock });
    try {
      const user = await createUser(t, { role: 'team_member' });
      const res = await cliLogin(t, user);
      expect(Date.parse(res.body.expiresAt)).toBe(clock.now() + 12 * 3600_000);
      expect(await meStatus(t, res.body.token)).toBe(200);
      clock.advance(12 * 3600_000 + 1000);
      expect(await meStatus(t, res.body.token)).toBe(401);
    } finally {
      await t.close();
    }
  });
});

describe('device login', () => {
  test('its login lasts CLI_TOKEN_TTL, and the token response says when it ends', async () => {
    const t = await createTestApp({ env: { CLI_TOKEN_TTL: '2d' } });
    try {
      const user = await createUser(t, { role: 'manager' });
      const tokens = (await deviceLogin(t, user)) as Awaited<ReturnType<typeof deviceLogin>> & {
        refresh_token_expires_in: number;
      };
      expect(tokens.scope).toBe('read write');
      expect(tokens.refresh_token_expires_in).toBeGreaterThan(2 * 86_400 - 60);
      expect(tokens.refresh_token_expires_in).toBeLessThanOrEqual(2 * 86_400);
      const [row] = await t.database.db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, sha256Hex(tokens.refresh_token)));
      expect(Math.abs(row!.expiresAt.getTime() - (Date.now() + 2 * DAY))).toBeLessThan(60_000);
    } finally {
      await t.close();
    }
  });
});

describe('POST /auth/tokens/rotate', () => {
  test('a PAT: the successor keeps name, scopes and lifetime; the old one stops at once', async () => {
    const old = (await cliLogin(live.t, manager)).body;
    const res = await rotate(live.t, old.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const renewed = res.body.data;
    expect(renewed.kind).toBe('pat');
    expect(renewed.token).not.toBe(old.token);
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThanOrEqual(Date.parse(old.expiresAt));
    expect(await meStatus(live.t, old.token)).toBe(401);
    expect(await meStatus(live.t, renewed.token)).toBe(200);
    const [before, after] = [await patRow(old.token), await patRow(renewed.token)];
    expect(after.name).toBe(before.name);
    expect(after.scopes).toEqual(before.scopes);
    expect(before.revokedAt).not.toBeNull();
    const audit = await live.t.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'token.rotated'), eq(auditLogs.resourceId, after.id)));
    expect(audit[0]?.details).toMatchObject({ replaces: before.id });
    // Rotating twice with the old token is refused: it is gone.
    expect((await rotate(live.t, old.token)).status).toBe(401);
  });

  test('a read-only token may renew itself; a token without expiry gets none either', async () => {
    const made = await call(live.t, 'POST', `${AUTH}/tokens`, {
      cookie: manager.token,
      body: { name: 'ro', scopes: ['read'] },
    });
    const res = await rotate(live.t, made.body.data.token);
    expect(res.status).toBe(200);
    expect(res.body.data.expiresAt).toBeNull();
    expect((await patRow(res.body.data.token)).scopes).toEqual(['read']);
  });

  test('a device login: a new login, and the old access and refresh tokens end', async () => {
    const first = await deviceLogin(live.t, manager);
    const res = await rotate(live.t, first.access_token);
    expect(res.status).toBe(200);
    const renewed = res.body.data;
    expect(renewed.kind).toBe('oauth');
    expect(Math.abs(Date.parse(renewed.expiresAt) - (Date.now() + 90 * DAY))).toBeLessThan(60_000);
    expect(renewed.accessTokenExpiresIn).toBe(900);
    expect(await meStatus(live.t, first.access_token)).toBe(401);
    expect(await meStatus(live.t, renewed.accessToken)).toBe(200);
    const old = await form(live.t, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    });
    expect(old.body.error).toBe('invalid_grant');
    const next = await form(live.t, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: renewed.refreshToken,
    });
    expect(next.status).toBe(200);
  });

  test('a browser session is a 409, anonymous a 401', async () => {
    const res = await rotate(live.t, manager.token);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CONFLICT');
    expect((await call(live.t, 'POST', `${AUTH}/tokens/rotate`)).status).toBe(401);
  });
});

describe('device logins in the sessions view', () => {
  test('listed as kind "cli" with client and last use; current when asked by that login', async () => {
    const user = await createUser(live.t, { role: 'team_member' });
    const tokens = await deviceLogin(live.t, user);
    const list = await call(live.t, 'GET', `${AUTH}/sessions`, { cookie: user.token });
    expect(list.status).toBe(200);
    const cli = list.body.data.filter((s: { kind: string }) => s.kind === 'cli');
    expect(cli).toHaveLength(1);
    // Read before toMatchObject: bun's asymmetric matchers write themselves into the object.
    const { id, lastSeenAt, createdAt } = cli[0];
    expect(id).toEqual(expect.any(String));
    expect(cli[0]).toMatchObject({
      kind: 'cli',
      client: 'Kubegram CLI',
      provider: 'device',
      current: false,
    });
    expect(Date.parse(cli[0].expiresAt)).toBeGreaterThan(Date.now() + 89 * DAY);
    const browser = list.body.data.find((s: { kind: string }) => s.kind === 'session');
    expect(browser).toMatchObject({ client: null, current: true });

    await Bun.sleep(20);
    const refreshed = await form(live.t, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    const again = await call(live.t, 'GET', `${AUTH}/sessions`, {
      bearer: refreshed.body.access_token,
    });
    expect(refreshed.status).toBe(200);
    const same = again.body.data.find((s: { id: string }) => s.id === id);
    expect(same.current).toBe(true);
    expect(Date.parse(same.lastSeenAt)).toBeGreaterThan(Date.parse(lastSeenAt));
    expect(same.createdAt).toBe(createdAt);
  });

  test.skipIf(noRedisServer)(
    "revoking one ends its tokens on every instance; another user's is a 404",
    async () => {
      const replicas = await startReplicas(live.t, 'kgclilogins');
      const { a, b } = replicas;
      try {
        const user = await createUser(live.t, { role: 'team_member' });
        const other = await createUser(live.t, { role: 'team_member' });
        const tokens = await deviceLogin(a.t, user);
        expect(await meStatus(b.t, tokens.access_token)).toBe(200);
        const list = await call(a.t, 'GET', `${AUTH}/sessions`, { cookie: user.token });
        const id = list.body.data.find((s: { kind: string }) => s.kind === 'cli').id;

        const foreign = await call(a.t, 'DELETE', `${AUTH}/sessions/${id}`, {
          cookie: other.token,
          origin: live.base,
        });
        expect(foreign.status).toBe(404);
        expect(await meStatus(b.t, tokens.access_token)).toBe(200);

        const res = await call(a.t, 'DELETE', `${AUTH}/sessions/${id}`, {
          cookie: user.token,
          origin: live.base,
        });
        expect(res.status).toBe(200);
        const status = await waitFor(() => meStatus(b.t, tokens.access_token), {
          until: (s) => s === 401,
          what: 'the revocation on the other instance',
        });
        expect(status).toBe(401);
        const refreshed = await form(b.t, '/oauth/token', {
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token,
        });
        expect(refreshed.body.error).toBe('invalid_grant');
        const after = await call(a.t, 'GET', `${AUTH}/sessions`, { cookie: user.token });
        expect(after.body.data.some((s: { id: string }) => s.id === id)).toBe(false);
        expect(
          (
            await call(a.t, 'DELETE', `${AUTH}/sessions/${id}`, {
              cookie: user.token,
              origin: live.base,
            })
          ).status,
        ).toBe(404);
      } finally {
        await replicas.close();
      }
    },
  );
});
