import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { desc, eq } from 'drizzle-orm';
import { auditLogs } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { Browser } from './helpers/browser';
import { signIn } from './helpers/flows';
import { type HostileServer, startHostileServer } from './helpers/hostile-server';
import { type Idp, startIdp } from './helpers/idp';

const APP_URL = 'http://localhost:8090';
const TIMEOUT_MS = 400;
let idp: Idp;
let hostile: HostileServer;
let t: TestApp;

beforeAll(async () => {
  idp = await startIdp({ redirectUris: [`${APP_URL}/oauth/okta/callback`] });
  hostile = await startHostileServer();
  t = await createTestApp({
    env: {
      OKTA_CLIENT_ID: idp.clientId,
      OKTA_CLIENT_SECRET: idp.clientSecret,
      OKTA_DOMAIN: idp.issuer,
      OAUTH_HTTP_TIMEOUT_MS: String(TIMEOUT_MS),
      CORS_ORIGIN: 'https://app.example.com',
    },
  });
}, 30_000);
afterAll(async () => {
  await t.close();
  await idp.close();
  await hostile.close();
});

async function lastFailure() {
  const [row] = await t.database.db
    .select()
    .from(auditLogs)
    .where(eq(auditLogs.action, 'auth.oauth_failed'))
    .orderBy(desc(auditLogs.id))
    .limit(1);
  return row?.details as Record<string, unknown> | undefined;
}

function expectPage(
  page: { status: number; headers: Headers; body: string } | undefined,
  status: number,
) {
  expect(page).toBeDefined();
  expect(page!.status).toBe(status);
  expect(page!.headers.get('content-type')).toContain('text/html');
  expect(page!.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(page!.body).not.toContain('Internal server error');
}

/** A flow stopped just before the callback, so the test can replay or tamper with it. */
async function flowToCallback(login: string, browser = new Browser(t)) {
  const res = await signIn(t, '/oauth/okta', login, browser, { stopAtCallback: true });
  expect(res.callback).toBeDefined();
  return { callback: res.callback!, browser };
}

describe('the identity provider hangs or misbehaves', () => {
  test('JWKS fetch hangs: 502 page with the request id, within the timeout', async () => {
    idp.mode = { kind: 'hang', path: '/jwks' };
    const started = performance.now();
    const res = await signIn(t, '/oauth/okta', 'jwks-hang');
    const elapsed = performance.now() - started;
    idp.mode = undefined;
    expectPage(res.page, 502);
    const requestId = res.page!.headers.get('x-request-id')!;
    expect(res.page!.body).toContain(requestId);
    expect(elapsed).toBeLessThan(TIMEOUT_MS * 2 + 1500);
    expect(await lastFailure()).toMatchObject({ reason: 'upstream_unavailable', provider: 'okta' });
  });

  test('token endpoint hangs: 502, audited', async () => {
    idp.mode = { kind: 'hang', path: '/token' };
    const res = await signIn(t, '/oauth/okta', 'token-hang');
    idp.mode = undefined;
    expectPage(res.page, 502);
    expect(await lastFailure()).toMatchObject({
      reason: 'upstream_unavailable',
      phase: 'exchange',
    });
  });

  test('an oversized JWKS document is refused: 502, audited', async () => {
    // A fresh instance: the main one has already cached the provider's keys.
    const fresh = await createTestApp({
      env: {
        OKTA_CLIENT_ID: idp.clientId,
        OKTA_CLIENT_SECRET: idp.clientSecret,
        OKTA_DOMAIN: idp.issuer,
        OAUTH_MAX_RESPONSE_BYTES: String(64 * 1024),
      },
    });
    try {
      idp.mode = { kind: 'huge', path: '/jwks' };
      const res = await signIn(fresh, '/oauth/okta', 'jwks-huge');
      idp.mode = undefined;
      expectPage(res.page, 502);
      const [row] = await fresh.database.db
        .select()
        .from(auditLogs)
        .where(eq(auditLogs.action, 'auth.oauth_failed'));
      expect(row!.details).toMatchObject({ reason: 'upstream_invalid_response' });
    } finally {
      idp.mode = undefined;
      await fresh.close();
    }
  }, 30_000);

  describe('discovery through admin-configured providers', () => {
    let admin: Awaited<ReturnType<typeof createUser>>;
    beforeAll(async () => {
      admin = await createUser(t);
      for (const kind of ['hang', 'huge', 'slow']) {
        const res = await call(t, 'POST', '/api/v1/admin/oauth-config', {
          cookie: admin.token,
          body: {
            id: `${kind}-sso`,
            type: 'oidc',
            clientId: 'x',
            clientSecret: 'y',
            issuer: `${hostile.url}/${kind}/issuer`,
          },
        });
        expect(res.status).toBe(201);
      }
    });

    test.each(['hang', 'slow'])('discovery that %s: 502 within the timeout', async (kind) => {
      const started = performance.now();
      const res = await t.request(`/oauth/${kind}-sso`);
      expect(res.status).toBe(502);
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
      expect(await res.text()).toContain(res.headers.get('x-request-id')!);
    });

    test('a failed discovery is remembered briefly: a burst does not hit the issuer again', async () => {
      const started = performance.now();
      const res = await t.request('/oauth/hang-sso');
      expect(res.status).toBe(502);
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS / 2);
    });

    test('an oversized discovery document is refused (502), not buffered', async () => {
      const res = await t.request('/oauth/huge-sso');
      expect(res.status).toBe(502);
    });
  });
});

describe('forged or wrong ID tokens are refused and audited', () => {
  const now = () => Math.floor(Date.now() / 1000);
  test.each([
    ['signed by an unknown key', { sign: 'unknown-key' as const }],
    ['with alg none', { sign: 'none' as const }],
    ['with a wrong nonce', { sign: 'genuine' as const, claims: { nonce: 'attacker-nonce' } }],
    ['with a wrong iss', { sign: 'genuine' as const, claims: { iss: 'http://127.0.0.1:1/evil' } }],
    ['with a wrong aud', { sign: 'genuine' as const, claims: { aud: 'someone-else' } }],
    ['expired', { sign: 'genuine' as const, claims: { exp: now() - 3600, iat: now() - 7200 } }],
  ])('ID token %s', async (_name, tamper) => {
    idp.mode = { kind: 'tamper-id-token', ...tamper };
    const res = await signIn(t, '/oauth/okta', `forged-${tamper.sign}`);
    idp.mode = undefined;
    expectPage(res.page, 502);
    expect(res.browser.cookie('kubegram_session')).toBeUndefined();
    expect(await lastFailure()).toMatchObject({ reason: 'id_token_invalid', provider: 'okta' });
  });
});

describe('authorization response attacks', () => {
  test('tampered state: 400 page, audited, no session', async () => {
    const { callback, browser } = await flowToCallback('mallory');
    callback.searchParams.set('state', 'tampered-state-value');
    const page = await browser.request('GET', callback.href);
    expectPage(page, 400);
    expect(browser.cookie('kubegram_session')).toBeUndefined();
    expect(await lastFailure()).toMatchObject({ reason: 'state_mismatch' });
  });

  test('callback in another browser (no state cookie): 400, audited', async () => {
    const { callback } = await flowToCallback('victim');
    const page = await new Browser(t).request('GET', callback.href);
    expectPage(page, 400);
    expect(await lastFailure()).toMatchObject({ reason: 'state_missing' });
  });

  test('replayed callback: refused even with the state cookie put back', async () => {
    const { callback, browser } = await flowToCallback('replayer');
    const flowCookie = browser.cookie('kubegram_oauth')!;
    const first = await browser.request('GET', callback.href);
    expect(first.status).toBe(302);
    expect(browser.cookie('kubegram_session')).toBeString();
    // The cookie is cleared by the first use …
    const again = await browser.request('GET', callback.href);
    expectPage(again, 400);
    expect(await lastFailure()).toMatchObject({ reason: 'state_missing' });
    // … and an attacker who kept it is refused by the one-time state.
    browser.setCookie('kubegram_oauth', flowCookie, '/oauth/okta/callback');
    const replay = await browser.request('GET', callback.href);
    expectPage(replay, 400);
    expect(await lastFailure()).toMatchObject({ reason: 'state_replayed' });
  });

  test('expired state cookie: 400, audited', async () => {
    const { callback, browser } = await flowToCallback('slowpoke');
    const stale = t.instance.services.encryption.encryptor.encrypt(
      JSON.stringify({
        provider: 'okta',
        state: callback.searchParams.get('state'),
        verifier: 'v'.repeat(43),
        redirect: '/',
        expiresAt: Date.now() - 1000,
      }),
      'oauth_flow_cookie',
    );
    browser.setCookie('kubegram_oauth', stale, '/oauth/okta/callback');
    expectPage(await browser.request('GET', callback.href), 400);
    expect(await lastFailure()).toMatchObject({ reason: 'state_expired' });
  });

  test('a forged cookie value is refused', async () => {
    const { callback, browser } = await flowToCallback('forger');
    browser.setCookie('kubegram_oauth', 'v1.abc.def.ghi', '/oauth/okta/callback');
    expectPage(await browser.request('GET', callback.href), 400);
    expect(await lastFailure()).toMatchObject({ reason: 'state_invalid' });
  });

  test('mix-up: a wrong or missing iss response parameter is refused (RFC 9207)', async () => {
    const a = await flowToCallback('mixup-a');
    expect(a.callback.searchParams.get('iss')).toBe(idp.issuer);
    a.callback.searchParams.set('iss', 'https://attacker.example');
    expectPage(await a.browser.request('GET', a.callback.href), 400);
    expect(await lastFailure()).toMatchObject({ reason: 'issuer_mismatch' });

    const b = await flowToCallback('mixup-b');
    b.callback.searchParams.delete('iss');
    expectPage(await b.browser.request('GET', b.callback.href), 400);
    expect(await lastFailure()).toMatchObject({ reason: 'issuer_mismatch' });
  });

  test('a state cookie for one provider cannot finish another', async () => {
    const { callback, browser } = await flowToCallback('crossing');
    const cookie = browser.cookie('kubegram_oauth')!;
    browser.setCookie('kubegram_oauth', cookie, '/oauth/hang-sso/callback');
    const url = new URL(callback.href.replace('/oauth/okta/', '/oauth/hang-sso/'));
    expectPage(await browser.request('GET', url.href), 400);
    expect(await lastFailure()).toMatchObject({ reason: 'state_mismatch' });
  });

  test('error=access_denied: back to the login page with a readable reason', async () => {
    const { callback, browser } = await flowToCallback('denier');
    const denied = new URL(callback.pathname, callback.origin);
    denied.searchParams.set('error', 'access_denied');
    denied.searchParams.set('state', callback.searchParams.get('state')!);
    const res = await browser.request('GET', denied.href);
    expect(res.status).toBe(302);
    const login = new URL(res.headers.get('location')!, APP_URL);
    expect(login.pathname).toBe('/login');
    expect(login.searchParams.get('error')).toBe('access_denied');
    const page = await browser.request('GET', login.href);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Sign-in was cancelled or refused at the identity provider.');
  });
});

describe('unknown and reserved providers', () => {
  test('unknown provider: 404 page on start and callback', async () => {
    for (const path of ['/oauth/nope', '/oauth/nope/callback?code=x&state=y', '/oauth/NOPE']) {
      const res = await t.request(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('text/html');
    }
  });

  test('/oauth/token, /oauth/revoke and /oauth/device/code are never treated as providers', async () => {
    for (const path of ['/oauth/token', '/oauth/revoke', '/oauth/device', '/oauth/device/code']) {
      const res = await t.request(path);
      expect(await res.text()).not.toContain('Unknown sign-in provider');
    }
  });
});

describe('open redirects fall back to the landing page', () => {
  let browser: Browser;
  beforeAll(() => {
    browser = new Browser(t);
  });
  test.each([
    ['//evil.com', '/'],
    ['/\\evil.com', '/'],
    ['https://app.example.com.evil.com/', '/'],
    ['javascript:alert(1)', '/'],
    ['%2F%2Fevil.com', '/'],
    ['/%2F/evil.com', '/'],
    ['/%5Cevil.com', '/'],
    ['https://evil.com', '/'],
    ['http://app.example.com/', '/'],
    ['https://app.example.com@evil.com/', '/'],
    ['/\t/evil.com', '/'],
    ['/projects?tab=1', '/projects?tab=1'],
    ['https://app.example.com/after', 'https://app.example.com/after'],
  ])('redirect=%p lands on %p', async (target, expected) => {
    const res = await signIn(
      t,
      `/oauth/okta?redirect=${encodeURIComponent(target)}`,
      'redirector',
      browser,
      {
        stopAtCallback: true,
      },
    );
    const done = await res.browser.request('GET', res.callback!.href);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe(expected);
  });
});
