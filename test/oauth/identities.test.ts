import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { desc, eq } from 'drizzle-orm';
import { auditLogs, oauthAccounts, users } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { Browser } from './helpers/browser';
import { signIn } from './helpers/flows';
import { type Idp, startIdp } from './helpers/idp';

const APP_URL = 'http://localhost:8090';
const IDENTITIES = '/api/public/v1/auth/identities';
let idp: Idp;
let t: TestApp;
let closed: TestApp;
let admin: SeededUser;

const oktaEnv = () => ({
  OKTA_CLIENT_ID: idp.clientId,
  OKTA_CLIENT_SECRET: idp.clientSecret,
  OKTA_DOMAIN: idp.issuer,
});

async function addProvider(
  app: TestApp,
  token: string,
  id: string,
  extra: Record<string, unknown>,
) {
  const res = await call(app, 'POST', '/api/v1/admin/oauth-config', {
    cookie: token,
    body: {
      id,
      type: 'oidc',
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      issuer: idp.issuer,
      ...extra,
    },
  });
  expect(res.status).toBe(201);
}

/** A browser already signed in with this session token. */
function signedInBrowser(app: TestApp, token: string) {
  const browser = new Browser(app);
  browser.setCookie('kubegram_session', token);
  return browser;
}

async function lastAudit(app: TestApp, action: string) {
  const [row] = await app.database.db
    .select()
    .from(auditLogs)
    .where(eq(auditLogs.action, action))
    .orderBy(desc(auditLogs.id))
    .limit(1);
  return row;
}

beforeAll(async () => {
  idp = await startIdp({
    redirectUris: ['okta', 'trusted', 'open'].map((id) => `${APP_URL}/oauth/${id}/callback`),
  });
  t = await createTestApp({ env: oktaEnv() });
  admin = await createUser(t, { email: 'admin@example.com' });
  await addProvider(t, admin.token, 'trusted', { displayName: 'Company Okta', trustEmail: true });
  closed = await createTestApp({ env: { ...oktaEnv(), ALLOW_REGISTRATION: 'false' } });
}, 30_000);
afterAll(async () => {
  await t.close();
  await closed.close();
  await idp.close();
});

describe('an email that matches an existing account', () => {
  let erin: SeededUser;
  beforeAll(async () => {
    erin = await createUser(t, { email: 'erin@example.com' });
  });

  test('is not merged silently: 409 page explaining how to link, audited, nothing written', async () => {
    const res = await signIn(t, '/oauth/okta', 'erin');
    expect(res.page?.status).toBe(409);
    expect(res.page?.body).toContain('An account with this email address already exists');
    expect(res.page?.body).toContain('link this provider');
    expect(res.browser.cookie('kubegram_session')).toBeUndefined();
    expect(
      (await t.database.db.select().from(oauthAccounts).where(eq(oauthAccounts.subject, 'erin')))
        .length,
    ).toBe(0);
    expect((await lastAudit(t, 'auth.oauth_failed'))!.details).toMatchObject({
      reason: 'account_exists',
    });
  });

  test('the signed-in owner links it with ?link=true, then signs in with it', async () => {
    const browser = signedInBrowser(t, erin.token);
    const res = await signIn(t, '/oauth/okta?link=true&redirect=/settings', 'erin', browser);
    expect(res.landed?.pathname).toBe('/settings');
    // Linking keeps the current session.
    expect(browser.cookie('kubegram_session')).toBe(erin.token);
    const linked = await lastAudit(t, 'auth.identity_linked');
    expect(linked!.userId).toBe(Number(erin.id));
    expect(linked!.details).toMatchObject({ provider: 'okta', via: 'link' });

    const again = await signIn(t, '/oauth/okta', 'erin');
    const me = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: again.browser.cookie('kubegram_session'),
    });
    expect(me.body.user.id).toBe(erin.id);

    const list = await call(t, 'GET', IDENTITIES, { cookie: erin.token });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      expect.objectContaining({
        provider: 'okta',
        providerName: 'Okta',
        email: 'erin@example.com',
        removable: true,
      }),
    ]);
  });

  test('with trustEmail the provider links and signs in, audited', async () => {
    const frank = await createUser(t, { email: 'frank@example.com' });
    const res = await signIn(t, '/oauth/trusted', 'frank');
    const me = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: res.browser.cookie('kubegram_session'),
    });
    expect(me.body.user.id).toBe(frank.id);
    const linked = await lastAudit(t, 'auth.identity_linked');
    expect(linked!.details).toMatchObject({ provider: 'trusted', via: 'trusted_email' });
  });
});

describe('linking and unlinking', () => {
  test('linking needs a signed-in browser', async () => {
    const res = await t.request('/oauth/okta?link=true');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toStartWith('/login?redirect=');
  });

  test('the last way to sign in cannot be removed (409); another can', async () => {
    const first = await signIn(t, '/oauth/okta', 'gina');
    const gina = first.browser.cookie('kubegram_session')!;
    let list = await call(t, 'GET', IDENTITIES, { cookie: gina });
    expect(list.body.data.length).toBe(1);
    expect(list.body.data[0].removable).toBe(false);
    const refused = await call(t, 'DELETE', `${IDENTITIES}/${list.body.data[0].id}`, {
      cookie: gina,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFLICT');

    // Link a second identity (another provider), then the first one can go.
    idp.accounts.set('gina-corp', { email: 'gina.corp@example.com' });
    const linked = await signIn(
      t,
      '/oauth/trusted?link=true',
      'gina-corp',
      signedInBrowser(t, gina),
    );
    expect(linked.landed).toBeDefined();
    list = await call(t, 'GET', IDENTITIES, { cookie: gina });
    expect(list.body.data.map((i: { provider: string }) => i.provider)).toEqual([
      'okta',
      'trusted',
    ]);
    const okta = list.body.data.find((i: { provider: string }) => i.provider === 'okta');
    const removed = await call(t, 'DELETE', `${IDENTITIES}/${okta.id}`, { cookie: gina });
    expect(removed.status).toBe(200);
    expect((await lastAudit(t, 'auth.identity_unlinked'))!.details).toEqual({ provider: 'okta' });
    list = await call(t, 'GET', IDENTITIES, { cookie: gina });
    expect(list.body.data.length).toBe(1);
    const last = await call(t, 'DELETE', `${IDENTITIES}/${list.body.data[0].id}`, { cookie: gina });
    expect(last.status).toBe(409);
  });

  test("another user's identity is a 404, and so is garbage", async () => {
    const [someone] = await t.database.db.select().from(oauthAccounts).limit(1);
    const res = await call(t, 'DELETE', `${IDENTITIES}/${someone!.id}`, { cookie: admin.token });
    expect(res.status).toBe(404);
    expect((await call(t, 'DELETE', `${IDENTITIES}/abc`, { cookie: admin.token })).status).toBe(
      400,
    );
    expect((await call(t, 'GET', IDENTITIES)).status).toBe(401);
  });

  test('an identity already linked to someone else cannot be linked (409 page)', async () => {
    const res = await signIn(t, '/oauth/okta?link=true', 'erin', signedInBrowser(t, admin.token));
    expect(res.page?.status).toBe(409);
    expect(res.page?.body).toContain('already linked to another account');
  });

  test('a disabled account cannot sign in through a provider (403 page)', async () => {
    const first = await signIn(t, '/oauth/okta', 'ivan');
    expect(first.landed).toBeDefined();
    await t.database.db
      .update(users)
      .set({ disabledAt: new Date() })
      .where(eq(users.email, 'ivan@example.com'));
    const again = await signIn(t, '/oauth/okta', 'ivan');
    expect(again.page?.status).toBe(403);
    expect(again.page?.body).toContain('This account is disabled.');
    expect(again.browser.cookie('kubegram_session')).toBeUndefined();
  });

  test('an unverified email never creates an account', async () => {
    idp.accounts.set('henry', { email_verified: false });
    const res = await signIn(t, '/oauth/okta', 'henry');
    expect(res.page?.status).toBe(403);
    expect(
      (await t.database.db.select().from(users).where(eq(users.email, 'henry@example.com'))).length,
    ).toBe(0);
  });
});

describe('ALLOW_REGISTRATION=false', () => {
  test('the very first account may still be created, as admin', async () => {
    const res = await signIn(closed, '/oauth/okta', 'root');
    const me = await call(closed, 'GET', '/api/public/v1/auth/me', {
      cookie: res.browser.cookie('kubegram_session'),
    });
    expect(me.body.user.role).toBe('admin');
  });

  test('later unknown identities are refused unless the provider allows sign-up', async () => {
    const refused = await signIn(closed, '/oauth/okta', 'stranger');
    expect(refused.page?.status).toBe(403);
    expect(refused.page?.body).toContain('Registration is closed');
    expect((await lastAudit(closed, 'auth.oauth_failed'))!.details).toMatchObject({
      reason: 'signup_closed',
    });

    const rootToken = (await signIn(closed, '/oauth/okta', 'root')).browser.cookie(
      'kubegram_session',
    )!;
    await addProvider(closed, rootToken, 'open', { allowSignup: true });
    const allowed = await signIn(closed, '/oauth/open', 'stranger');
    const me = await call(closed, 'GET', '/api/public/v1/auth/me', {
      cookie: allowed.browser.cookie('kubegram_session'),
    });
    expect(me.body.user).toMatchObject({ email: 'stranger@example.com', role: 'team_member' });
  });
});
