import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import { auditLogs, oauthAccounts, sessions, users } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { signIn } from './helpers/flows';
import { type Idp, startIdp } from './helpers/idp';

const APP_URL = 'http://localhost:8090';
let idp: Idp;
let t: TestApp;

beforeAll(async () => {
  idp = await startIdp({ redirectUris: [`${APP_URL}/oauth/okta/callback`] });
  t = await createTestApp({
    env: {
      OKTA_CLIENT_ID: idp.clientId,
      OKTA_CLIENT_SECRET: idp.clientSecret,
      OKTA_DOMAIN: idp.issuer,
    },
  });
}, 30_000);
afterAll(async () => {
  await t.close();
  await idp.close();
});

describe('sign in with Okta (env-configured, real oidc-provider)', () => {
  test('the provider is listed with password', async () => {
    const res = await call(t, 'GET', '/api/public/v1/auth/providers');
    expect(res.status).toBe(200);
    expect(res.body.providers).toEqual([
      { id: 'okta', name: 'Okta', type: 'okta', loginUrl: '/oauth/okta' },
      {
        id: 'password',
        name: 'Email and password',
        type: 'password',
        loginUrl: '/api/public/v1/auth/login',
      },
    ]);
  });

  test('the start redirects to the provider with PKCE S256, state, nonce and a bound cookie', async () => {
    const res = await t.request('/oauth/okta?redirect=/projects');
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(idp.issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(location.searchParams.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    expect(location.searchParams.get('redirect_uri')).toBe(`${APP_URL}/oauth/okta/callback`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('kubegram_oauth='))!;
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/oauth/okta/callback');
    expect(cookie).toContain('Max-Age=600');
    // Encrypted: neither the state nor the verifier can be read from it.
    expect(cookie).not.toContain(location.searchParams.get('state')!);
  });

  test('full flow: user, identity, session, audit; re-login reuses the user', async () => {
    const first = await signIn(t, '/oauth/okta?redirect=/projects', 'alice');
    expect(first.landed?.pathname).toBe('/projects');
    const token = first.browser.cookie('kubegram_session')!;
    expect(token).toBeString();
    const me = await call(t, 'GET', '/api/public/v1/auth/me', { cookie: token });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({
      email: 'alice@example.com',
      name: 'Person alice',
      role: 'admin', // first account on the server
    });
    const [identity] = await t.database.db
      .select()
      .from(oauthAccounts)
      .where(and(eq(oauthAccounts.provider, 'okta'), eq(oauthAccounts.subject, 'alice')));
    expect(identity).toMatchObject({
      userId: Number(me.body.user.id),
      email: 'alice@example.com',
      emailVerified: true,
    });
    const [session] = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, me.body.sessionId));
    expect(session!.provider).toBe('okta');
    const audit = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.userId, Number(me.body.user.id)));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['auth.register', 'auth.login']),
    );
    expect(audit.find((a) => a.action === 'auth.login')!.details).toEqual({ provider: 'okta' });

    // Second sign-in, fresh browser: same user, new session, no second account.
    const second = await signIn(t, '/oauth/okta', 'alice');
    expect(second.landed?.pathname).toBe('/');
    const me2 = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: second.browser.cookie('kubegram_session'),
    });
    expect(me2.body.user.id).toBe(me.body.user.id);
    expect(me2.body.sessionId).not.toBe(me.body.sessionId);
    const alices = await t.database.db
      .select()
      .from(users)
      .where(eq(users.email, 'alice@example.com'));
    expect(alices.length).toBe(1);
  });

  test('a second person becomes a team member', async () => {
    const res = await signIn(t, '/oauth/okta', 'bob');
    const me = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: res.browser.cookie('kubegram_session'),
    });
    expect(me.body.user.role).toBe('team_member');
  });

  test('profile data is sanitised: only an https avatar, a bounded name', async () => {
    idp.accounts.set('pic', { picture: 'javascript:alert(1)', name: 'n'.repeat(500) });
    idp.accounts.set('pic2', { picture: 'https://img.example/p.png' });
    const bad = await signIn(t, '/oauth/okta', 'pic');
    const me = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: bad.browser.cookie('kubegram_session'),
    });
    expect(me.body.user.avatar).toBeNull();
    expect(me.body.user.name.length).toBe(200);
    const good = await signIn(t, '/oauth/okta', 'pic2');
    const me2 = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: good.browser.cookie('kubegram_session'),
    });
    expect(me2.body.user.avatar).toBe('https://img.example/p.png');
  });
});
