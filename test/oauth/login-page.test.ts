import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../helpers/http';
import { enableMfa } from '../helpers/mfa';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { Browser } from './helpers/browser';

let t: TestApp;
let user: SeededUser;

beforeAll(async () => {
  t = await createTestApp({
    env: {
      GITHUB_CLIENT_ID: 'gh',
      GITHUB_CLIENT_SECRET: 'gh-secret',
      FRONTEND_URL: 'https://console.example.com',
    },
  });
  user = await createUser(t, { email: 'page@example.com' });
}, 30_000);
afterAll(() => t.close());

describe('/login', () => {
  test('server-rendered, accessible, one button per provider, strict CSP without scripts', async () => {
    const browser = new Browser(t);
    const page = await browser.request('GET', '/login?redirect=/projects');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self' http://localhost:8090 https://console.example.com");
    expect(csp).not.toContain('script-src');
    expect(page.body).not.toContain('<script');
    expect(page.body).toStartWith('<!DOCTYPE html><html lang="en">');
    expect(page.body).toContain('href="/oauth/github?redirect=%2Fprojects"');
    expect(page.body).toContain('Sign in with GitHub');
    expect(page.body).toContain('<label for="email">Email</label>');
    expect(page.body).toContain('<label for="password">Password</label>');
    expect(page.body).toContain('autocomplete="current-password"');
  });

  test('email + password signs in and goes to the redirect target (303)', async () => {
    const browser = new Browser(t);
    const page = await browser.request('GET', '/login?redirect=/projects');
    const res = await browser.submitForm(
      page,
      { email: user.email, password: user.password },
      () => true,
    );
    expect(res).toBeInstanceOf(URL);
    expect((res as URL).pathname).toBe('/projects');
    const me = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: browser.cookie('kubegram_session'),
    });
    expect(me.body.user.email).toBe('page@example.com');
  });

  test('an allowed absolute redirect is kept; a foreign one falls back to the landing page', async () => {
    for (const [target, expected] of [
      ['https://console.example.com/app', 'https://console.example.com/app'],
      ['https://evil.example/app', 'https://console.example.com'],
    ]) {
      const browser = new Browser(t);
      const page = await browser.request('GET', `/login?redirect=${encodeURIComponent(target!)}`);
      const res = await browser.submitForm(
        page,
        { email: user.email, password: user.password },
        () => true,
      );
      expect((res as URL).href.replace(/\/$/, '')).toBe(expected!);
    }
  });

  test('wrong password: the page again with a readable error, 401, email kept', async () => {
    const browser = new Browser(t);
    const page = await browser.request('GET', '/login');
    const res = await browser.submitForm(page, {
      email: user.email,
      password: 'wrong-password-here',
    });
    expect((res as { status: number }).status).toBe(401);
    const body = (res as { body: string }).body;
    expect(body).toContain('role="alert"');
    expect(body).toContain('Invalid email or password');
    expect(body).toContain('value="page@example.com"');
    expect(browser.cookie('kubegram_session')).toBeUndefined();
  });

  test('with two-factor authentication on: the page asks for the code, then signs in with it', async () => {
    const mfaUser = await createUser(t, { email: 'page-mfa@example.com' });
    const { app } = await enableMfa(t, mfaUser);

    const browser = new Browser(t);
    const page = await browser.request('GET', '/login');
    expect(page.body).toContain('autocomplete="one-time-code"');
    const asked = await browser.submitForm(page, {
      email: mfaUser.email,
      password: mfaUser.password,
    });
    expect((asked as { status: number }).status).toBe(401);
    expect((asked as { body: string }).body).toContain('two-factor authentication');
    expect(browser.cookie('kubegram_session')).toBeUndefined();

    const again = await browser.request('GET', '/login?redirect=/projects');
    const res = await browser.submitForm(
      again,
      { email: mfaUser.email, password: mfaUser.password, mfaCode: app.generate() },
      () => true,
    );
    expect((res as URL).pathname).toBe('/projects');
    expect(browser.cookie('kubegram_session')).toBeString();
  });

  test('login CSRF: a post without the form token is refused', async () => {
    const browser = new Browser(t);
    const res = await browser.request('POST', '/login', {
      body: new URLSearchParams({ email: user.email, password: user.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(403);
    expect(browser.cookie('kubegram_session')).toBeUndefined();

    // A token from the attacker's own visit does not match the victim's cookie.
    const attacker = new Browser(t);
    const attackerPage = await attacker.request('GET', '/login');
    const token = /name="csrf" value="([^"]+)"/.exec(attackerPage.body)![1]!;
    const victim = new Browser(t);
    await victim.request('GET', '/login');
    const forged = await victim.request('POST', '/login', {
      body: new URLSearchParams({
        email: user.email,
        password: user.password,
        csrf: token,
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.status).toBe(403);

    // And a cross-site Origin is refused outright, even with a valid token.
    const page = await victim.request('GET', '/login');
    const valid = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const crossSite = await victim.request('POST', '/login', {
      body: new URLSearchParams({
        email: user.email,
        password: user.password,
        csrf: valid,
      }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
      },
    });
    expect(crossSite.status).toBe(403);
  });

  test('provider errors are shown readably, unknown ones generically, never echoed', async () => {
    const denied = await t.request('/login?error=access_denied');
    expect(await denied.text()).toContain('Sign-in was cancelled or refused');
    const odd = await (await t.request('/login?error=%3Cscript%3Ealert(1)%3C/script%3E')).text();
    expect(odd).toContain('The identity provider did not complete the sign-in.');
    expect(odd).not.toContain('<script>alert(1)');
  });
});

describe('rate limits on the browser sign-in endpoints', () => {
  test('callback spam is cut off with 429, so it cannot flood the audit log', async () => {
    const limited = await createTestApp({
      env: { RATE_LIMIT_MAX_REQUESTS: '5', GITHUB_CLIENT_ID: 'gh', GITHUB_CLIENT_SECRET: 's' },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        statuses.push(
          (await limited.request('/oauth/github/callback?code=x&state=y', { ip: '10.9.9.9' }))
            .status,
        );
      }
      expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      expect((await limited.request('/login', { ip: '10.9.9.9' })).status).toBe(429);
      expect((await limited.request('/login', { ip: '10.9.9.8' })).status).toBe(200);
    } finally {
      await limited.close();
    }
  }, 30_000);
});
