import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import { oauthAccounts } from '../../src/db/schema';
import { safeRedirect } from '../../src/services/oauth/redirect-target';
import { call } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { signIn } from './helpers/flows';
import { type Idp, startIdp } from './helpers/idp';

const APP_URL = 'http://localhost:8090';
let idp: Idp;
let t: TestApp;

beforeAll(async () => {
  idp = await startIdp({
    redirectUris: ['google', 'gitlab'].map((id) => `${APP_URL}/oauth/${id}/callback`),
  });
  t = await createTestApp({
    env: {
      GOOGLE_CLIENT_ID: idp.clientId,
      GOOGLE_CLIENT_SECRET: idp.clientSecret,
      // Google's issuer is fixed; tests point it at the local provider (NODE_ENV=test only).
      TEST_GOOGLE_ISSUER: idp.issuer,
      GITLAB_CLIENT_ID: idp.clientId,
      GITLAB_CLIENT_SECRET: idp.clientSecret,
      // Self-managed GitLab: GITLAB_URL is its OIDC issuer.
      GITLAB_URL: idp.issuer,
      CORS_ORIGIN: 'https://app.example.com',
    },
  });
}, 30_000);
afterAll(async () => {
  await t.close();
  await idp.close();
});

describe('every env provider type signs in end-to-end', () => {
  test('both are listed', async () => {
    const res = await call(t, 'GET', '/api/public/v1/auth/providers');
    expect(
      res.body.providers.map((p: { id: string; type: string }) => `${p.id}:${p.type}`),
    ).toEqual(['google:google', 'gitlab:gitlab', 'password:password']);
  });

  test.each(['google', 'gitlab'])('%s', async (provider) => {
    const res = await signIn(t, `/oauth/${provider}?redirect=/x`, `${provider}-user`);
    expect(res.landed?.pathname).toBe('/x');
    const me = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: res.browser.cookie('kubegram_session'),
    });
    expect(me.body.user.email).toBe(`${provider}-user@example.com`);
    const rows = await t.database.db
      .select()
      .from(oauthAccounts)
      .where(
        and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.subject, `${provider}-user`)),
      );
    expect(rows.length).toBe(1);
  });
});

describe('safeRedirect', () => {
  test.each([
    [undefined, '/'],
    ['', '/'],
    ['/ok/path?x=1#frag', '/ok/path?x=1#frag'],
    ['//evil.com', '/'],
    ['///evil.com', '/'],
    ['/\\evil.com', '/'],
    ['\\\\evil.com', '/'],
    ['/%2F%2Fevil.com', '/'],
    ['%2F%2Fevil.com', '/'],
    ['/%252F%252Fevil.com', '/'],
    ['/%5C%5Cevil.com', '/'],
    ['/%09/evil.com', '/'],
    ['/\u2028/evil.com', '/'],
    ['javascript:alert(1)', '/'],
    ['JaVaScRiPt:alert(1)', '/'],
    ['data:text/html,x', '/'],
    ['https://app.example.com.evil.com', '/'],
    ['https://app.example.com@evil.com', '/'],
    ['https://evil.com#https://app.example.com', '/'],
    ['https://app.example.com/done', 'https://app.example.com/done'],
    ['http://localhost:8090/done', 'http://localhost:8090/done'],
    ['x'.repeat(3000), '/'],
  ])('%p → %p', (input, expected) => {
    expect(safeRedirect(input, t.config)).toBe(expected);
  });
});

describe('configuration', () => {
  test('half-configured providers fail fast with the variable named', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config');
    const attempt = (env: Record<string, string>) => {
      try {
        loadConfig({ NODE_ENV: 'test', ...env });
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as InstanceType<typeof ConfigError>).problems;
      }
    };
    expect(attempt({ GITHUB_CLIENT_ID: 'x' })).toContain(
      'GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET must be set together',
    );
    expect(attempt({ OKTA_CLIENT_ID: 'x', OKTA_CLIENT_SECRET: 'y' })).toContain(
      'OKTA_DOMAIN is required with OKTA_CLIENT_ID',
    );
    expect(attempt({ GITLAB_CLIENT_ID: 'x', GITLAB_CLIENT_SECRET: 'y' })).toEqual([]);
  });
});

test('the sign-in, identity and admin endpoints are in the OpenAPI document', async () => {
  const doc = await (await t.request('/openapi.json')).json();
  for (const path of [
    '/oauth/{provider}',
    '/oauth/{provider}/callback',
    '/api/public/v1/auth/identities',
    '/api/public/v1/auth/identities/{id}',
    '/api/v1/admin/oauth-config',
    '/api/v1/admin/oauth-config/{id}',
    '/api/v1/admin/encryption/rotate',
  ]) {
    expect(doc.paths[path]).toBeDefined();
  }
});
