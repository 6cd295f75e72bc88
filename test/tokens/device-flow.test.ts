import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { auditLogs, deviceAuthorizations } from '../../src/db/schema';
import { sha256Hex } from '../../src/lib/tokens';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { answerDeviceCode, DEVICE_GRANT, form, type LiveApp, startLiveApp } from './helpers';

let live: LiveApp;
let user: SeededUser;
let config: client.Configuration;

beforeAll(async () => {
  live = await startLiveApp();
  await createUser(live.t, { role: 'admin' });
  user = await createUser(live.t, { role: 'team_member' });
  config = await client.discovery(new URL(live.base), 'kubegram-cli', undefined, client.None(), {
    execute: [client.allowInsecureRequests],
    algorithm: 'oauth2',
  });
});
afterAll(() => live.close());

describe('device login with openid-client as the RFC 8628 client', () => {
  test('initiate → approve on /device → poll → tokens once; JWT verifies against JWKS', async () => {
    const started = await client.initiateDeviceAuthorization(config, { scope: 'read write' });
    expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(started.verification_uri).toBe(`${live.base}/device`);
    expect(started.verification_uri_complete).toBe(
      `${live.base}/device?user_code=${started.user_code}`,
    );
    expect(started.expires_in).toBe(600);
    expect(started.interval).toBe(5);

    const answered = await answerDeviceCode(live.t, user, started.user_code);
    expect(answered.status).toBe(200);
    expect(String(answered.body)).toContain('Device connected');

    const tokens = await client.pollDeviceAuthorizationGrant(config, started);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(900);
    expect(tokens.refresh_token).toBeString();
    expect(tokens.scope).toBe('read write');

    const jwks = createRemoteJWKSet(new URL(`${live.base}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: live.base,
      audience: live.base,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(user.id);
    expect(payload.role).toBe('team_member');
    expect(payload.scope).toBe('read write');
    expect(payload.jti).toBeString();
    expect(payload.exp! - payload.iat!).toBe(900);

    const me = await fetch(`${live.base}/api/public/v1/auth/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe(user.id);

    // The device code is good for one set of tokens only.
    const again = await form(live.t, '/oauth/token', {
      grant_type: DEVICE_GRANT,
      device_code: started.device_code,
      client_id: 'kubegram-cli',
    });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');

    // openid-client's refresh against the same server: a new pair, rotated.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await jwtVerify(refreshed.access_token, jwks, { issuer: live.base, audience: live.base });
  }, 20_000);
});

describe('polling answers exactly per RFC 8628 §3.5', () => {
  const start = async () => {
    const res = await form(live.t, '/oauth/device/code', { client_id: 'kubegram-cli' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return res.body as { device_code: string; user_code: string };
  };
  const poll = (deviceCode: string) =>
    form(live.t, '/oauth/token', {
      grant_type: DEVICE_GRANT,
      device_code: deviceCode,
      client_id: 'kubegram-cli',
    });

  test('authorization_pending, then slow_down with a growing interval', async () => {
    const { device_code } = await start();
    const first = await poll(device_code);
    expect(first.status).toBe(400);
    expect(first.body.error).toBe('authorization_pending');
    const second = await poll(device_code);
    expect(second.body.error).toBe('slow_down');
    const third = await poll(device_code);
    expect(third.body.error).toBe('slow_down');
    const [row] = await live.t.database.db
      .select()
      .from(deviceAuthorizations)
      .where(eq(deviceAuthorizations.deviceCodeHash, sha256Hex(device_code)));
    expect(row?.intervalSeconds).toBe(15);
  });

  test('access_denied after the user says no', async () => {
    const { device_code, user_code } = await start();
    const denied = await answerDeviceCode(live.t, user, user_code, 'deny');
    expect(denied.status).toBe(200);
    expect(String(denied.body)).toContain('Request denied');
    const res = await poll(device_code);
    expect(res.body.error).toBe('access_denied');
  });

  test('expired_token once the code has expired', async () => {
    const { device_code, user_code } = await start();
    await live.t.database.db
      .update(deviceAuthorizations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(deviceAuthorizations.userCode, user_code.replace('-', '')));
    const res = await poll(device_code);
    expect(res.body.error).toBe('expired_token');
    const page = await call(live.t, 'GET', `/device?user_code=${user_code}`, {
      cookie: user.token,
    });
    expect(page.status).toBe(404);
  });

  test('unknown client, unknown code, missing parameters', async () => {
    const badClient = await form(live.t, '/oauth/device/code', { client_id: 'evil' });
    expect(badClient.status).toBe(401);
    expect(badClient.body.error).toBe('invalid_client');
    const badScope = await form(live.t, '/oauth/device/code', {
      client_id: 'kubegram-cli',
      scope: 'root',
    });
    expect(badScope.body.error).toBe('invalid_scope');
    const unknown = await poll('A'.repeat(43));
    expect(unknown.body.error).toBe('invalid_grant');
    const missing = await form(live.t, '/oauth/token', {
      grant_type: DEVICE_GRANT,
      client_id: 'kubegram-cli',
    });
    expect(missing.body.error).toBe('invalid_request');
  });
});

describe('the /device page', () => {
  test('signed-out visitors are sent to sign in and come back with the code', async () => {
    const res = await call(live.t, 'GET', '/device?user_code=BCDF-GHJK');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      `/login?redirect=${encodeURIComponent('/device?user_code=BCDF-GHJK')}`,
    );
  });

  test('signing in on the way: /device → /login → back to /device with the code', async () => {
    const started = await form(live.t, '/oauth/device/code', { client_id: 'kubegram-cli' });
    const code = started.body.user_code as string;
    const first = await call(live.t, 'GET', `/device?user_code=${code}`);
    expect(first.status).toBe(302);
    const loginPage = await call(live.t, 'GET', first.headers.get('location')!);
    expect(loginPage.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(String(loginPage.body))?.[1];
    const redirect = /name="redirect" value="([^"]+)"/.exec(String(loginPage.body))?.[1];
    expect(redirect?.replaceAll('&amp;', '&')).toBe(`/device?user_code=${code}`);
    const csrfCookie = loginPage.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .find((c) => c?.startsWith('kubegram_login_csrf='));
    const signedIn = await call(live.t, 'POST', '/login', {
      body: new URLSearchParams({
        email: user.email,
        password: user.password,
        csrf: csrf!,
        redirect: redirect!.replaceAll('&amp;', '&'),
      }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: csrfCookie!,
        origin: live.t.config.appUrl,
      },
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(`/device?user_code=${code}`);
    const page = await call(live.t, 'GET', `/device?user_code=${code}`, {
      cookie: signedIn.setToken,
    });
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('Approve this sign-in?');
  });

  test('shows the client and the code; a forged form (no CSRF token) changes nothing', async () => {
    const started = await form(live.t, '/oauth/device/code', { client_id: 'kubegram-cli' });
    const page = await call(live.t, 'GET', `/device?user_code=${started.body.user_code}`, {
      cookie: user.token,
    });
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('Kubegram CLI');
    expect(String(page.body)).toContain(started.body.user_code);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const forged = await call(live.t, 'POST', '/device', {
      cookie: user.token,
      body: `user_code=${started.body.user_code}&action=approve&csrf=00`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.status).toBe(403);
    const crossSite = await call(live.t, 'POST', '/device', {
      cookie: user.token,
      origin: 'https://evil.example',
      body: `user_code=${started.body.user_code}&action=approve`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(crossSite.status).toBe(403);
    const poll = await form(live.t, '/oauth/token', {
      grant_type: DEVICE_GRANT,
      device_code: started.body.device_code,
      client_id: 'kubegram-cli',
    });
    expect(poll.body.error).toBe('authorization_pending');
  });

  test('a bearer token cannot approve (browser sessions only)', async () => {
    const res = await call(live.t, 'GET', '/device?user_code=BCDF-GHJK', { bearer: user.token });
    expect(res.status).toBe(302);
  });

  test('starting device logins is rate-limited per address', async () => {
    let status = 200;
    for (let i = 0; i < 121 && status === 200; i++) {
      status = (
        await form(live.t, '/oauth/device/code', { client_id: 'kubegram-cli' }, '10.66.0.1')
      ).status;
    }
    expect(status).toBe(429);
    const other = await form(
      live.t,
      '/oauth/device/code',
      { client_id: 'kubegram-cli' },
      '10.66.0.2',
    );
    expect(other.status).toBe(200);
  });

  test('guessing user codes is rate-limited', async () => {
    const guesser = await createUser(live.t, { role: 'team_member' });
    let last = 0;
    for (let i = 0; i < 11; i++) {
      const res = await call(live.t, 'GET', '/device?user_code=ZZZZ-ZZZZ', {
        cookie: guesser.token,
        ip: '10.55.0.9',
      });
      last = res.status;
      if (i < 10) expect(res.status).toBe(404);
    }
    expect(last).toBe(429);
    const audit = await live.t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, 'auth.device_approved'));
    expect(audit.length).toBeGreaterThan(0);
  });
});
