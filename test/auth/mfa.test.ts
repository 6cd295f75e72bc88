import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import { auditLogs, userTotp } from '../../src/db/schema';
import { hotp, matchTotp, totpStep } from '../../src/lib/totp';
import { call } from '../helpers/http';
import { enableMfa } from '../helpers/mfa';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { deviceLogin } from '../tokens/helpers';

const AUTH = '/api/public/v1/auth';
let t: TestApp;
let admin: SeededUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await createUser(t, { role: 'admin' });
});
afterAll(() => t.close());

/** What an authenticator app does with the otpauth:// URI: an independent implementation. */
const appFrom = (uri: string) => OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
/** The code of the next 30-second window: a code is accepted once, and one step of drift is. */
const nextCode = (app: OTPAuth.TOTP) => app.generate({ timestamp: Date.now() + 30_000 });

const enrol = (user: SeededUser) => enableMfa(t, user);

const login = (user: SeededUser, mfaCode?: string, ip?: string) =>
  call(t, 'POST', `${AUTH}/login`, {
    body: { email: user.email, password: user.password, ...(mfaCode ? { mfaCode } : {}) },
    ip,
  });

describe('TOTP (RFC 6238)', () => {
  test('our codes match the RFC 6238 test vector and an independent implementation', () => {
    // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); 6 digits → 287082.
    expect(hotp(Buffer.from('12345678901234567890'), 1)).toBe('287082');
    const secret = new OTPAuth.Secret({ size: 20 });
    const app = new OTPAuth.TOTP({ secret });
    const now = Date.now();
    expect(matchTotp(secret.base32, app.generate({ timestamp: now }), now)).toBe(totpStep(now));
    expect(matchTotp(secret.base32, app.generate({ timestamp: now - 90_000 }), now)).toBe(
      undefined,
    );
    expect(matchTotp(secret.base32, 'abcdef', now)).toBeUndefined();
  });
});

describe('enrolling', () => {
  test('two steps: nothing changes until a code proves the app has the secret', async () => {
    const user = await createUser(t, { role: 'team_member' });
    const begun = await call(t, 'POST', `${AUTH}/mfa/totp`, { cookie: user.token });
    expect(begun.status).toBe(200);
    expect(begun.headers.get('cache-control')).toBe('no-store');
    expect(begun.body.data.otpauthUri).toStartWith('otpauth://totp/Kubegram:');
    expect((await call(t, 'GET', `${AUTH}/mfa`, { cookie: user.token })).body.data.totp).toBe(
      'pending',
    );
    // Pending: password alone still signs in.
    expect((await login(user)).status).toBe(200);

    const [row] = await t.database.db
      .select()
      .from(userTotp)
      .where(eq(userTotp.userId, Number(user.id)));
    expect(row!.secretEncrypted).not.toContain(begun.body.data.secret);

    const wrong = await call(t, 'POST', `${AUTH}/mfa/totp/confirm`, {
      cookie: user.token,
      body: { code: '000000' },
    });
    expect(wrong.status).toBe(400);
    const app = appFrom(begun.body.data.otpauthUri);
    const ok = await call(t, 'POST', `${AUTH}/mfa/totp/confirm`, {
      cookie: user.token,
      body: { code: app.generate() },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.data.recoveryCodes).toHaveLength(10);
    expect(ok.body.data.recoveryCodes[0]).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const state = await call(t, 'GET', `${AUTH}/mfa`, { cookie: user.token });
    expect(state.body.data).toMatchObject({ totp: 'enabled', recoveryCodesLeft: 10 });
    expect((await call(t, 'POST', `${AUTH}/mfa/totp`, { cookie: user.token })).status).toBe(409);
  });

  test('starting again replaces a pending secret: a code from the first one no longer counts', async () => {
    const user = await createUser(t, { role: 'team_member' });
    const first = await call(t, 'POST', `${AUTH}/mfa/totp`, { cookie: user.token });
    const second = await call(t, 'POST', `${AUTH}/mfa/totp`, { cookie: user.token });
    expect(second.body.data.secret).not.toBe(first.body.data.secret);
    const stale = await call(t, 'POST', `${AUTH}/mfa/totp/confirm`, {
      cookie: user.token,
      body: { code: appFrom(first.body.data.otpauthUri).generate() },
    });
    expect(stale.status).toBe(400);
    const fresh = await call(t, 'POST', `${AUTH}/mfa/totp/confirm`, {
      cookie: user.token,
      body: { code: appFrom(second.body.data.otpauthUri).generate() },
    });
    expect(fresh.status).toBe(200);
  });

  test('API tokens cannot manage the second factor, only a session', async () => {
    const user = await createUser(t, { role: 'team_member' });
    const pat = (
      await call(t, 'POST', `${AUTH}/tokens`, { cookie: user.token, body: { name: 'x' } })
    ).body.data.token;
    const jwt = (await deviceLogin(t, user)).access_token;
    for (const bearer of [pat, jwt]) {
      const res = await call(t, 'POST', `${AUTH}/mfa/totp`, { bearer });
      expect(res.status).toBe(403);
    }
    expect((await call(t, 'POST', `${AUTH}/mfa/totp`, { bearer: user.token })).status).toBe(200);
  });
});

describe('signing in with MFA on', () => {
  test('password alone: MFA_REQUIRED; with a code: a session; the same code twice: refused', async () => {
    const user = await createUser(t, { role: 'team_member' });
    const { app } = await enrol(user);
    const without = await login(user);
    expect(without.status).toBe(401);
    expect(without.body.code).toBe('MFA_REQUIRED');
    expect(without.setToken).toBeUndefined();

    const code = app.generate();
    const withCode = await login(user, code);
    expect(withCode.status).toBe(200);
    expect(withCode.setToken).toBeString();
    const replay = await login(user, code);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('INVALID_CREDENTIALS');
    // A wrong password never reveals whether MFA is on.
    const wrongPassword = await call(t, 'POST', `${AUTH}/login`, {
      body: { email: user.email, password: 'not the password at all' },
    });
    expect(wrongPassword.body.code).toBe('INVALID_CREDENTIALS');
    expect((await login(user, nextCode(app))).status).toBe(200);
  });

  test('cli-login asks for the code the same way', async () => {
    const user = await createUser(t, { role: 'team_member' });
    const { app } = await enrol(user);
    const body = { email: user.email, password: user.password };
    const without = await call(t, 'POST', `${AUTH}/cli-login`, { body });
    expect(without.body.code).toBe('MFA_REQUIRED');
    const withCode = await call(t, 'POST', `${AUTH}/cli-login`, {
      body: { ...body, mfaCode: app.generate() },
    });
    expect(withCode.status).toBe(200);
    expect(withCode.body.token).toStartWith('kgm_');
  });

  test('a recovery code signs in once', async () => {
    const user = await createUser(t, { role: 'team_member' });
    const { recoveryCodes } = await enrol(user);
    const typed = recoveryCodes[0]!.toUpperCase().replace(/-/g, ' ');
    expect((await login(user, typed)).status).toBe(200);
    expect((await login(user, recoveryCodes[0])).status).toBe(401);
    const state = await call(t, 'GET', `${AUTH}/mfa`, { cookie: user.token });
    expect(state.body.data.recoveryCodesLeft).toBe(9);
  });

  test('guessing codes hits the login limits and is audited', async () => {
    const user = await createUser(t, { role: 'team_member' });
    const { app } = await enrol(user);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await login(user, String(100000 + i), '10.77.0.1')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await login(user, app.generate(), '10.77.0.1')).status).toBe(429);
    const failures = await t.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'auth.login_failed'), eq(auditLogs.userId, Number(user.id))));
    expect(failures.some((f) => JSON.stringify(f.details).includes('bad_mfa_code'))).toBe(true);
  });
});

describe('turning it off and new recovery codes', () => {
  test('need a current code; old recovery codes stop working when replaced', async () => {
    const user = await createUser(t, { role: 'team_member' });
    const { app, recoveryCodes } = await enrol(user);
    const refused = await call(t, 'POST', `${AUTH}/mfa/recovery-codes`, {
      cookie: user.token,
      body: { code: '123456' },
    });
    expect(refused.status).toBe(400);
    const fresh = await call(t, 'POST', `${AUTH}/mfa/recovery-codes`, {
      cookie: user.token,
      body: { code: app.generate() },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body.data.recoveryCodes).not.toContain(recoveryCodes[0]);
    expect((await login(user, recoveryCodes[0])).status).toBe(401);

    const off = await call(t, 'POST', `${AUTH}/mfa/totp/disable`, {
      cookie: user.token,
      body: { code: fresh.body.data.recoveryCodes[0] },
    });
    expect(off.status).toBe(200);
    expect((await login(user)).status).toBe(200);
    const audit = await t.database.db
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(eq(auditLogs.userId, Number(user.id)));
    const actions = audit.map((a) => a.action);
    for (const action of [
      'auth.mfa_enabled',
      'auth.mfa_recovery_codes_regenerated',
      'auth.mfa_disabled',
    ]) {
      expect(actions).toContain(action);
    }
  });

  test('a stolen session cannot turn it off by guessing', async () => {
    const user = await createUser(t, { role: 'team_member' });
    await enrol(user);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await call(t, 'POST', `${AUTH}/mfa/totp/disable`, {
        cookie: user.token,
        body: { code: String(200000 + i) },
        ip: '10.78.0.1',
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    expect((await call(t, 'GET', `${AUTH}/mfa`, { cookie: user.token })).body.data.totp).toBe(
      'enabled',
    );
  });
});

describe('password change and admin reset', () => {
  test('changing the password with MFA on needs a valid code too', async () => {
    const user = await createUser(t, { role: 'team_member' });
    const { app } = await enrol(user);
    const body = { currentPassword: user.password, newPassword: 'a different passphrase 2026' };
    const without = await call(t, 'POST', `${AUTH}/password`, { cookie: user.token, body });
    expect(without.status).toBe(401);
    expect(without.body.code).toBe('MFA_REQUIRED');
    const wrong = await call(t, 'POST', `${AUTH}/password`, {
      cookie: user.token,
      body: { ...body, mfaCode: '000000' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details[0].path).toBe('mfaCode');
    const ok = await call(t, 'POST', `${AUTH}/password`, {
      cookie: user.token,
      body: { ...body, mfaCode: app.generate() },
    });
    expect(ok.status).toBe(200);
  });

  test("an admin clears another user's second factor, never their own; others get 403", async () => {
    const user = await createUser(t, { role: 'team_member' });
    await enrol(user);
    const other = await createUser(t, { role: 'manager' });
    const byOther = await call(t, 'DELETE', `/api/public/v1/users/${user.id}/mfa`, {
      cookie: other.token,
    });
    expect(byOther.status).toBe(403);
    const self = await call(t, 'DELETE', `/api/public/v1/users/${user.id}/mfa`, {
      cookie: user.token,
    });
    expect(self.status).toBe(403);

    const record = () =>
      call(t, 'GET', `/api/public/v1/users/${user.id}`, { cookie: admin.token }).then(
        (r) => r.body.data.mfaEnabled,
      );
    expect(await record()).toBe(true);
    const listed = await call(t, 'GET', '/api/public/v1/users?limit=100', { cookie: admin.token });
    const row = listed.body.data.find((u: { id: string }) => u.id === user.id);
    expect(row.mfaEnabled).toBe(true);
    expect(listed.body.data.find((u: { id: string }) => u.id === other.id).mfaEnabled).toBe(false);

    const reset = await call(t, 'DELETE', `/api/public/v1/users/${user.id}/mfa`, {
      cookie: admin.token,
    });
    expect(reset.status).toBe(200);
    expect(await record()).toBe(false);
    expect((await login(user)).status).toBe(200);
    const again = await call(t, 'DELETE', `/api/public/v1/users/${user.id}/mfa`, {
      cookie: admin.token,
    });
    expect(again.status).toBe(404);

    await enrol(admin);
    const own = await call(t, 'DELETE', `/api/public/v1/users/${admin.id}/mfa`, {
      cookie: admin.token,
    });
    expect(own.status).toBe(403);
    const [audit] = await t.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'user.mfa_reset'), eq(auditLogs.resourceId, user.id)));
    expect(audit!.userId).toBe(Number(admin.id));
  });
});
