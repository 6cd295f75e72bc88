import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { auditLogs, oauthProviders } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { signIn } from './helpers/flows';
import { type Idp, startIdp } from './helpers/idp';

const APP_URL = 'http://localhost:8090';
const CONFIG = '/api/v1/admin/oauth-config';
const SECRET = 'corp-client-secret-that-must-never-leak';
let idp: Idp;
let t: TestApp;
let admin: SeededUser;
let member: SeededUser;
const logLines: string[] = [];

beforeAll(async () => {
  idp = await startIdp({
    redirectUris: [`${APP_URL}/oauth/corp/callback`, `${APP_URL}/oauth/corp2/callback`],
  });
  // Captures every log line (debug and up) to prove the client secret never reaches a log.
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  t = await createTestApp({
    env: { GITHUB_CLIENT_ID: 'env-gh-id', GITHUB_CLIENT_SECRET: 'env-gh-secret-value' },
    logger: pino({ level: 'debug' }, sink),
  });
  admin = await createUser(t);
  member = await createUser(t, { role: 'team_member' });
}, 30_000);
afterAll(async () => {
  await t.close();
  await idp.close();
});

const corp = () => ({
  id: 'corp',
  type: 'oidc',
  displayName: 'Corp SSO',
  clientId: idp.clientId,
  clientSecret: idp.clientSecret,
  issuer: idp.issuer,
  allowSignup: true,
});

describe('admin API /api/v1/admin/oauth-config', () => {
  test('admins only', async () => {
    expect((await call(t, 'GET', CONFIG)).status).toBe(401);
    expect((await call(t, 'GET', CONFIG, { cookie: member.token })).status).toBe(403);
    const post = await call(t, 'POST', CONFIG, { cookie: member.token, body: corp() });
    expect(post.status).toBe(403);
  });

  test('env providers are listed read-only with the secret masked', async () => {
    const res = await call(t, 'GET', CONFIG, { cookie: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({
      id: 'github',
      source: 'environment',
      readOnly: true,
      clientSecret: '********',
      callbackUrl: `${APP_URL}/oauth/github/callback`,
    });
    expect(JSON.stringify(res.body)).not.toContain('env-gh-secret-value');
    const put = await call(t, 'PUT', `${CONFIG}/github`, {
      cookie: admin.token,
      body: { enabled: false },
    });
    expect(put.status).toBe(403);
    expect((await call(t, 'DELETE', `${CONFIG}/github`, { cookie: admin.token })).status).toBe(403);
    const clash = await call(t, 'POST', CONFIG, {
      cookie: admin.token,
      body: { ...corp(), id: 'github', type: 'github' },
    });
    expect(clash.status).toBe(409);
  });

  test.each([
    [{ issuer: 'http://idp.example.com' }, 'issuer'],
    [{ issuer: 'ftp://idp.example.com' }, 'issuer'],
    [{ issuer: 'https://user:pw@idp.example.com' }, 'issuer'],
    [{ issuer: undefined }, 'issuer'],
    [{ id: 'token' }, 'id'],
    [{ id: 'Corp_SSO' }, 'id'],
    [{ type: 'saml' }, 'type'],
    [{ extra: true }, '(root)'],
  ])('invalid %p is a 400 naming %p', async (change, path) => {
    const res = await call(t, 'POST', CONFIG, {
      cookie: admin.token,
      body: { ...corp(), ...change },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.body.details)).toContain(path === '(root)' ? '' : path);
  });

  test('create: 201, secret encrypted at rest with a key id, masked on output, audited', async () => {
    const res = await call(t, 'POST', CONFIG, { cookie: admin.token, body: corp() });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      id: 'corp',
      type: 'oidc',
      clientSecret: '********',
      issuer: idp.issuer,
      scopes: ['openid', 'email', 'profile'],
      enabled: true,
      allowSignup: true,
      trustEmail: false,
      source: 'database',
      readOnly: false,
      callbackUrl: `${APP_URL}/oauth/corp/callback`,
    });
    const [row] = await t.database.db
      .select()
      .from(oauthProviders)
      .where(eq(oauthProviders.id, 'corp'));
    expect(row!.clientSecretEncrypted).toStartWith(
      `v1.${t.instance.services.encryption.encryptor.activeKeyId}.`,
    );
    expect(row!.clientSecretEncrypted).not.toContain(idp.clientSecret);
    expect(row!.secretKeyId).toBe(t.instance.services.encryption.encryptor.activeKeyId);
    const dup = await call(t, 'POST', CONFIG, { cookie: admin.token, body: corp() });
    expect(dup.status).toBe(409);
    const audit = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, 'oauth_config.create'));
    expect(audit.length).toBe(1);
    expect(JSON.stringify(audit)).not.toContain(idp.clientSecret);
  });

  test('the new provider is listed and usable at once, without a restart', async () => {
    const list = await call(t, 'GET', '/api/public/v1/auth/providers');
    expect(list.body.providers.map((p: { id: string }) => p.id)).toEqual([
      'github',
      'corp',
      'password',
    ]);
    const res = await signIn(t, '/oauth/corp?redirect=/home', 'carol');
    expect(res.landed?.pathname).toBe('/home');
    const me = await call(t, 'GET', '/api/public/v1/auth/me', {
      cookie: res.browser.cookie('kubegram_session'),
    });
    expect(me.body.user.email).toBe('carol@example.com');
  });

  test('get, update (secret kept when omitted, replaced when sent), disable → refused', async () => {
    const one = await call(t, 'GET', `${CONFIG}/corp`, { cookie: admin.token });
    expect(one.status).toBe(200);
    expect(one.body.data.displayName).toBe('Corp SSO');
    expect((await call(t, 'GET', `${CONFIG}/nope`, { cookie: admin.token })).status).toBe(404);

    const renamed = await call(t, 'PUT', `${CONFIG}/corp`, {
      cookie: admin.token,
      body: { displayName: 'Corporate SSO' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.displayName).toBe('Corporate SSO');
    // Secret untouched: sign-in still works.
    expect((await signIn(t, '/oauth/corp', 'carol')).landed).toBeDefined();

    // A wrong secret makes the provider refuse the code exchange: 502 page, not a 500.
    const wrong = await call(t, 'PUT', `${CONFIG}/corp`, {
      cookie: admin.token,
      body: { clientSecret: SECRET },
    });
    expect(wrong.status).toBe(200);
    expect((await signIn(t, '/oauth/corp', 'carol')).page?.status).toBe(502);
    await call(t, 'PUT', `${CONFIG}/corp`, {
      cookie: admin.token,
      body: { clientSecret: idp.clientSecret },
    });

    const disabled = await call(t, 'PUT', `${CONFIG}/corp`, {
      cookie: admin.token,
      body: { enabled: false },
    });
    expect(disabled.body.data.enabled).toBe(false);
    const list = await call(t, 'GET', '/api/public/v1/auth/providers');
    expect(list.body.providers.map((p: { id: string }) => p.id)).toEqual(['github', 'password']);
    expect((await t.request('/oauth/corp')).status).toBe(404);
  });

  test('a flow started before the provider was disabled cannot finish', async () => {
    await call(t, 'PUT', `${CONFIG}/corp`, { cookie: admin.token, body: { enabled: true } });
    const flow = await signIn(t, '/oauth/corp', 'carol', undefined, { stopAtCallback: true });
    await call(t, 'PUT', `${CONFIG}/corp`, { cookie: admin.token, body: { enabled: false } });
    const page = await flow.browser.request('GET', flow.callback!.href);
    expect(page.status).toBe(404);
    expect(flow.browser.cookie('kubegram_session')).toBeUndefined();
  });

  test('delete: 200, audited, gone', async () => {
    const res = await call(t, 'DELETE', `${CONFIG}/corp`, { cookie: admin.token });
    expect(res.status).toBe(200);
    expect((await call(t, 'GET', `${CONFIG}/corp`, { cookie: admin.token })).status).toBe(404);
    expect((await call(t, 'DELETE', `${CONFIG}/corp`, { cookie: admin.token })).status).toBe(404);
    const actions = (await t.database.db.select().from(auditLogs)).map((a) => a.action);
    expect(actions).toContain('oauth_config.update');
    expect(actions).toContain('oauth_config.delete');
  });

  test('no client secret ever appears in a log line', () => {
    expect(logLines.length).toBeGreaterThan(10);
    const all = logLines.join('\n');
    for (const secret of [SECRET, idp.clientSecret, 'env-gh-secret-value']) {
      expect(all).not.toContain(secret);
    }
  });
});
