import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type Browser, chromium } from 'playwright-core';
import { call } from '../helpers/http';
import { enableMfa } from '../helpers/mfa';
import { CHROMIUM, missingChromium } from '../helpers/requirements';
import { createUser, type SeededUser } from '../helpers/seed';
import { startIdp } from '../oauth/helpers/idp';
import { DEVICE_GRANT, form, type LiveApp, startLiveApp } from '../tokens/helpers';

/**
 * The server-rendered pages in a real browser (Debian's Chromium driven by playwright-core):
 * the /login form, its two-factor field, and the RFC 8628 /device approval, with the CSP,
 * CSRF and Origin checks a browser really applies. Without Chromium (`apt-get install
 * chromium`) skipped with the reason on a laptop, failed under CI (test/helpers/requirements.ts).
 */
let live: LiveApp;
let browser: Browser;
let admin: SeededUser;

describe.skipIf(missingChromium())('in Chromium', () => {
  beforeAll(async () => {
    live = await startLiveApp();
    admin = await createUser(live.t, { role: 'admin' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  test('device login: the CLI code, sign-in on /login, approve on /device, tokens for the CLI', async () => {
    const user = await createUser(live.t, { role: 'team_member' });
    const started = await form(live.t, '/oauth/device/code', { client_id: 'kubegram-cli' });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });

    // Not signed in: /device sends the browser to /login and back.
    await page.goto(`${live.base}/device?user_code=${started.body.user_code}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/device');
    expect(await page.textContent('body')).toContain('kubegram');

    await page.getByRole('button', { name: /approve/i }).click();
    await page.waitForLoadState();
    expect(await page.textContent('body')).toMatch(/approved|connected|return to your terminal/i);

    const tokens = await form(live.t, '/oauth/token', {
      grant_type: DEVICE_GRANT,
      device_code: started.body.device_code,
      client_id: 'kubegram-cli',
    });
    expect(tokens.status).toBe(200);
    const me = await call(live.t, 'GET', '/api/public/v1/auth/me', {
      bearer: tokens.body.access_token,
    });
    expect(me.body.user.email).toBe(user.email);
    // The pages run no script and the CSP held: nothing was reported.
    expect(errors).toEqual([]);
    await page.close();
  });

  test('two-factor sign-in on /login: asked for the code, then signed in with it', async () => {
    const user = await createUser(live.t, { role: 'team_member' });
    const { app } = await enableMfa(live.t, user);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${live.base}/login?redirect=/api/public/v1/auth/me`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('alert').textContent()).toContain('two-factor');
    expect((await context.cookies()).some((c) => c.name === 'kubegram_session')).toBe(false);

    await page.getByLabel('Password').fill(user.password);
    await page.getByLabel(/Two-factor code/).fill(app.generate());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/api/public/v1/auth/me');
    expect(JSON.parse((await page.textContent('body')) ?? '{}').user.email).toBe(user.email);
    const session = (await context.cookies()).find((c) => c.name === 'kubegram_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    await context.close();
  });

  test('single sign-on: the provider button, the IdP login and consent, back signed in', async () => {
    const idp = await startIdp({ redirectUris: [`${live.base}/oauth/sso/callback`] });
    try {
      const created = await call(live.t, 'POST', '/api/v1/admin/oauth-config', {
        cookie: admin.token,
        body: {
          id: 'sso',
          type: 'oidc',
          displayName: 'Company SSO',
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
        },
      });
      expect(created.status).toBe(201);

      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${live.base}/login?redirect=/api/public/v1/auth/me`);
      await page.getByRole('link', { name: 'Sign in with Company SSO' }).click();
      // oidc-provider's own development login, then its consent page.
      await page.waitForURL((url) => url.origin === idp.issuer);
      await page.locator('input[name="login"]').fill('chromium-person');
      await page.locator('input[name="password"]').fill('any-password');
      await page.locator('button[type="submit"]').first().click();
      await page.waitForLoadState();
      if (new URL(page.url()).origin === idp.issuer) {
        await page.locator('button[type="submit"]').first().click();
      }
      await page.waitForURL((url) => url.pathname === '/api/public/v1/auth/me');
      const me = JSON.parse((await page.textContent('body')) ?? '{}');
      expect(me.user.email).toBe('chromium-person@example.com');
      // The one-time state cookie is gone; the session cookie is HttpOnly.
      const cookies = await context.cookies();
      expect(cookies.some((c) => c.name === 'kubegram_oauth')).toBe(false);
      expect(cookies.find((c) => c.name === 'kubegram_session')?.httpOnly).toBe(true);
      await context.close();
    } finally {
      await idp.close();
    }
  });
});
