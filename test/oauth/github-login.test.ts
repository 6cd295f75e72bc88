import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, desc, eq } from 'drizzle-orm';
import { auditLogs, oauthAccounts, users } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { signIn } from './helpers/flows';
import { type GitHubStandIn, startGitHubStandIn } from './helpers/github-standin';

let gh: GitHubStandIn;
let t: TestApp;

beforeAll(async () => {
  gh = await startGitHubStandIn();
  gh.users.set('octocat', {
    id: 583231,
    login: 'octocat',
    name: 'The Octocat',
    emails: [
      { email: 'octo-old@github.test', primary: false, verified: true },
      { email: 'Octocat@GitHub.test', primary: true, verified: true },
    ],
  });
  gh.users.set('unverified', {
    id: 99,
    login: 'unverified',
    name: null,
    emails: [{ email: 'unverified@github.test', primary: true, verified: false }],
  });
  gh.users.set('secondary-only', {
    id: 100,
    login: 'secondary-only',
    name: null,
    emails: [
      { email: 'primary@github.test', primary: true, verified: false },
      { email: 'secondary@github.test', primary: false, verified: true },
    ],
  });
  t = await createTestApp({
    env: {
      GITHUB_CLIENT_ID: gh.clientId,
      GITHUB_CLIENT_SECRET: gh.clientSecret,
      TEST_GITHUB_URL: gh.url,
    },
  });
}, 30_000);
afterAll(async () => {
  await t.close();
  await gh.close();
});

describe('sign in with GitHub (OAuth 2 + REST, local stand-in)', () => {
  test('listed as a provider', async () => {
    const res = await call(t, 'GET', '/api/public/v1/auth/providers');
    expect(res.body.providers[0]).toEqual({
      id: 'github',
      name: 'GitHub',
      type: 'github',
      loginUrl: '/oauth/github',
    });
  });

  test('verified primary email: user, identity keyed by the numeric id, session, audit', async () => {
    gh.nextLogin = 'octocat';
    const res = await signIn(t, '/oauth/github?redirect=/welcome', 'octocat');
    expect(res.landed?.pathname).toBe('/welcome');
    const me = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: res.browser.cookie('kubegram_session'),
    });
    expect(me.body.user).toMatchObject({ email: 'octocat@github.test', name: 'The Octocat' });
    const [identity] = await t.database.db
      .select()
      .from(oauthAccounts)
      .where(and(eq(oauthAccounts.provider, 'github'), eq(oauthAccounts.subject, '583231')));
    expect(identity!.userId).toBe(Number(me.body.user.id));
    expect(identity!.profile).toMatchObject({ username: 'octocat' });
    // PKCE travelled: the stand-in checked the verifier against the challenge.
    expect(gh.tokenRequests.at(-1)!.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    const [login] = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, 'auth.login'))
      .orderBy(desc(auditLogs.id))
      .limit(1);
    expect(login!.details).toEqual({ provider: 'github' });

    const again = await signIn(t, '/oauth/github', 'octocat');
    const me2 = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: again.browser.cookie('kubegram_session'),
    });
    expect(me2.body.user.id).toBe(me.body.user.id);
  });

  test('an account whose only email is unverified is refused (403 page, audited)', async () => {
    gh.nextLogin = 'unverified';
    const before = (await t.database.db.select().from(users)).length;
    const res = await signIn(t, '/oauth/github', 'unverified');
    expect(res.page?.status).toBe(403);
    expect(res.page?.body).toContain('no verified email address');
    expect(res.browser.cookie('kubegram_session')).toBeUndefined();
    expect((await t.database.db.select().from(users)).length).toBe(before);
    const [failure] = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, 'auth.oauth_failed'))
      .orderBy(desc(auditLogs.id))
      .limit(1);
    expect(failure!.details).toMatchObject({ provider: 'github', reason: 'email_unverified' });
  });

  test('a verified secondary email does not stand in for an unverified primary', async () => {
    gh.nextLogin = 'secondary-only';
    const res = await signIn(t, '/oauth/github', 'secondary-only');
    expect(res.page?.status).toBe(403);
  });

  test('a code the stand-in refuses (already used) gives a 400 page, not a 500', async () => {
    gh.nextLogin = 'octocat';
    const flow = await signIn(t, '/oauth/github', 'octocat', undefined, { stopAtCallback: true });
    const first = await flow.browser.request('GET', flow.callback!.href);
    expect(first.status).toBe(302);
    // A second flow whose code the provider will not accept.
    const second = await signIn(t, '/oauth/github', 'octocat', undefined, { stopAtCallback: true });
    second.callback!.searchParams.set('code', flow.callback!.searchParams.get('code')!);
    const page = await second.browser.request('GET', second.callback!.href);
    expect(page.status).toBe(400);
    expect(page.body).toContain('expired or was already used');
  });

  test('the GitHub endpoints can only be overridden under NODE_ENV=test', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config');
    expect(() =>
      loadConfig({ NODE_ENV: 'development', TEST_GITHUB_URL: gh.url, DATA_DIR: '/tmp/kg-cfg' }),
    ).toThrow(ConfigError);
  });
});
