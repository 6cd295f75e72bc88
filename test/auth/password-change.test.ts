import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import { auditLogs, users } from '../../src/db/schema';
import { call } from '../helpers/http';
import { missingRedisServer } from '../helpers/requirements';
import { createUser, type SeededUser } from '../helpers/seed';
import { waitFor } from '../helpers/wait';
import { deviceLogin, form, type LiveApp, startLiveApp, startReplicas } from '../tokens/helpers';

const AUTH = '/api/public/v1/auth';
const NEW_PASSWORD = 'a brand new passphrase for 2026';
let live: LiveApp;

beforeAll(async () => {
  live = await startLiveApp();
  await createUser(live.t, { role: 'admin' });
});
afterAll(() => live.close());

const me = (options: { cookie?: string; bearer?: string }) =>
  call(live.t, 'GET', `${AUTH}/me`, options).then((r) => r.status);
const login = (user: SeededUser, password: string) =>
  call(live.t, 'POST', `${AUTH}/login`, { body: { email: user.email, password } });
const change = (options: { cookie?: string; bearer?: string }, body: unknown, ip?: string) =>
  call(live.t, 'POST', `${AUTH}/password`, { ...options, body, ip });

describe('changing your password', () => {
  test('ends every other session, CLI login and access JWT; this session and PATs stay', async () => {
    const user = await createUser(live.t, { role: 'team_member' });
    const otherSession = (await login(user, user.password)).setToken!;
    const cli = await deviceLogin(live.t, user);
    const pat = (
      await call(live.t, 'POST', `${AUTH}/tokens`, { cookie: user.token, body: { name: 'ci' } })
    ).body.data.token;
    for (const credential of [{ cookie: otherSession }, { bearer: cli.access_token }]) {
      expect(await me(credential)).toBe(200);
    }

    const res = await change(
      { cookie: user.token },
      { currentPassword: user.password, newPassword: NEW_PASSWORD },
    );
    expect(res.status).toBe(200);
    expect(res.body.data.revokedSessions).toBe(1);

    expect(await me({ cookie: user.token })).toBe(200);
    expect(await me({ cookie: otherSession })).toBe(401);
    expect(await me({ bearer: cli.access_token })).toBe(401);
    const refreshed = await form(live.t, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: cli.refresh_token,
    });
    expect(refreshed.body.error).toBe('invalid_grant');
    expect(await me({ bearer: pat })).toBe(200);

    expect((await login(user, user.password)).status).toBe(401);
    expect((await login(user, NEW_PASSWORD)).status).toBe(200);
    // A login after the change is not caught by the "not before" of the change.
    const after = await deviceLogin(live.t, { ...user, token: user.token });
    expect(await me({ bearer: after.access_token })).toBe(200);

    const audit = await live.t.database.db
      .select()
      .from(auditLogs)
      .where(
        and(eq(auditLogs.action, 'auth.password_changed'), eq(auditLogs.userId, Number(user.id))),
      );
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0])).not.toContain(NEW_PASSWORD);
  });

  test('made with an access JWT, the change also ends that JWT', async () => {
    const user = await createUser(live.t, { role: 'team_member' });
    const cli = await deviceLogin(live.t, user);
    const res = await change(
      { bearer: cli.access_token },
      { currentPassword: user.password, newPassword: NEW_PASSWORD },
    );
    expect(res.status).toBe(200);
    expect(await me({ bearer: cli.access_token })).toBe(401);
    expect(await me({ cookie: user.token })).toBe(401);
  });

  test('a wrong current password, a weak or unchanged new one: 400 on the field, nothing changes', async () => {
    const user = await createUser(live.t, { role: 'team_member' });
    const cases: [unknown, string][] = [
      [{ currentPassword: 'not my password at all', newPassword: NEW_PASSWORD }, 'currentPassword'],
      [{ currentPassword: user.password, newPassword: 'short' }, 'newPassword'],
      [{ currentPassword: user.password, newPassword: 'password1234' }, 'newPassword'],
      [{ currentPassword: user.password, newPassword: user.password }, 'newPassword'],
      [{ currentPassword: user.password }, 'newPassword'],
      [{ currentPassword: user.password, newPassword: NEW_PASSWORD, role: 'admin' }, ''],
    ];
    for (const [body, field] of cases) {
      const res = await change({ cookie: user.token }, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      if (field) expect(res.body.details.map((d: { path: string }) => d.path)).toContain(field);
      expect(JSON.stringify(res.body)).not.toContain(user.password);
    }
    expect(await me({ cookie: user.token })).toBe(200);
    expect((await login(user, user.password)).status).toBe(200);
    const [row] = await live.t.database.db
      .select({ role: users.role })
      .from(users)
      .where(eq(users.id, Number(user.id)));
    expect(row!.role).toBe('team_member');
  });

  test('guessing the current password with a stolen session hits the login limit', async () => {
    const user = await createUser(live.t, { role: 'team_member' });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await change(
        { cookie: user.token },
        { currentPassword: `guess number ${i} for this`, newPassword: NEW_PASSWORD },
        '10.40.0.1',
      );
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Even the right password waits now.
    const right = await change(
      { cookie: user.token },
      { currentPassword: user.password, newPassword: NEW_PASSWORD },
      '10.40.0.1',
    );
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toBeTruthy();
  });

  test('an account without a password (provider sign-in only) gets a 409', async () => {
    const user = await createUser(live.t, { role: 'team_member' });
    await live.t.database.db
      .update(users)
      .set({ passwordHash: null })
      .where(eq(users.id, Number(user.id)));
    const res = await change(
      { cookie: user.token },
      { currentPassword: user.password, newPassword: NEW_PASSWORD },
    );
    expect(res.status).toBe(409);
  });
});

describe('logout ends whatever credential it is called with', () => {
  test('a personal access token is revoked, a JWT takes its refresh family with it', async () => {
    const user = await createUser(live.t, { role: 'team_member' });
    const pat = (
      await call(live.t, 'POST', `${AUTH}/tokens`, { cookie: user.token, body: { name: 'x' } })
    ).body.data.token;
    expect((await call(live.t, 'POST', `${AUTH}/logout`, { bearer: pat })).status).toBe(200);
    expect(await me({ bearer: pat })).toBe(401);

    const cli = await deviceLogin(live.t, user);
    expect(
      (await call(live.t, 'POST', `${AUTH}/logout`, { bearer: cli.access_token })).status,
    ).toBe(200);
    expect(await me({ bearer: cli.access_token })).toBe(401);
    const refreshed = await form(live.t, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: cli.refresh_token,
    });
    expect(refreshed.body.error).toBe('invalid_grant');
    expect(await me({ cookie: user.token })).toBe(200);
  });
});

describe.skipIf(missingRedisServer())('across instances', () => {
  test('a password changed on one instance ends JWTs and sessions on another within a second', async () => {
    const replicas = await startReplicas(live.t, 'kgpw');
    const { a, b } = replicas;
    try {
      const user = await createUser(a.t, { role: 'team_member' });
      const other = (
        await call(b.t, 'POST', `${AUTH}/login`, {
          body: { email: user.email, password: user.password },
        })
      ).setToken!;
      const cli = await deviceLogin(a.t, user);
      const onB = (options: { cookie?: string; bearer?: string }) =>
        call(b.t, 'GET', `${AUTH}/me`, options).then((r) => r.status);
      expect(await onB({ bearer: cli.access_token })).toBe(200);
      expect(await onB({ cookie: other })).toBe(200);
      const res = await call(a.t, 'POST', `${AUTH}/password`, {
        cookie: user.token,
        body: { currentPassword: user.password, newPassword: NEW_PASSWORD },
      });
      expect(res.status).toBe(200);
      const statuses = await waitFor(
        async () => [await onB({ bearer: cli.access_token }), await onB({ cookie: other })],
        {
          until: (both) => both.every((s) => s === 401),
          timeoutMs: 1000,
          what: 'B to refuse both credentials',
        },
      );
      expect(statuses).toEqual([401, 401]);
      expect(await onB({ cookie: user.token })).toBe(200);
    } finally {
      await replicas.close();
    }
  });
});
