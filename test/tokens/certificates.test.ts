import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { manualClock } from '../../src/lib/clock';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { form, type LiveApp, startLiveApp } from './helpers';

let live: LiveApp;
let admin: SeededUser;
let owner: SeededUser;
let outsider: SeededUser;
let companyId: string;
let otherCompanyId: string;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const certsPath = () => `/api/public/v1/companies/${companyId}/certificates`;
/** The server's time, moved by hand; assertions are stamped with it too. */
const clock = manualClock();
const nowSeconds = () => Math.floor(clock.now() / 1000);

beforeAll(async () => {
  live = await startLiveApp({ clock });
  admin = await createUser(live.t, { role: 'admin' });
  owner = await createUser(live.t, { role: 'manager' });
  outsider = await createUser(live.t, { role: 'manager' });
  const company = await call(live.t, 'POST', '/api/public/v1/companies', {
    cookie: owner.token,
    body: { name: 'Cert Co' },
  });
  expect(company.status).toBe(201);
  companyId = company.body.data.id;
  const other = await call(live.t, 'POST', '/api/public/v1/companies', {
    cookie: outsider.token,
    body: { name: 'Other Co' },
  });
  otherCompanyId = other.body.data.id;
});
afterAll(() => live.close());

type Alg = 'RS256' | 'ES256' | 'EdDSA';

async function register(alg: Alg, as: 'pem' | 'jwk') {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const body =
    as === 'pem'
      ? { name: `${alg} key`, publicKey: await exportSPKI(publicKey) }
      : { name: `${alg} jwk`, jwk: await exportJWK(publicKey) };
  const res = await call(live.t, 'POST', certsPath(), { cookie: owner.token, body });
  expect(res.status).toBe(201);
  expect(res.body.data.alg).toBe(alg);
  expect(res.body.data.fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return { id: res.body.data.id as string, privateKey };
}

function assertion(
  certId: string,
  privateKey: CryptoKey,
  alg: Alg,
  overrides: { iss?: string; aud?: string; exp?: number; jti?: string; kid?: string } = {},
) {
  const principal = `company:${companyId}`;
  const now = nowSeconds();
  return new SignJWT({})
    .setProtectedHeader({ alg, kid: overrides.kid ?? certId })
    .setIssuer(overrides.iss ?? principal)
    .setSubject(principal)
    .setAudience(overrides.aud ?? `${live.base}/oauth/token`)
    .setIssuedAt(now)
    .setExpirationTime(overrides.exp ?? now + 120)
    .setJti(overrides.jti ?? randomUUID())
    .sign(privateKey);
}

const exchange = (jwt: string) =>
  form(live.t, '/oauth/token', { grant_type: JWT_BEARER, assertion: jwt });

describe('certificate flow', () => {
  for (const [alg, as] of [
    ['RS256', 'pem'],
    ['ES256', 'pem'],
    ['EdDSA', 'jwk'],
  ] as const) {
    test(`${alg} (${as}): assertion → 15-minute token confined to the company; replay refused`, async () => {
      const { id, privateKey } = await register(alg, as);
      const jwt = await assertion(id, privateKey, alg);
      const res = await exchange(jwt);
      expect(res.status).toBe(200);
      expect(res.body.token_type).toBe('Bearer');
      expect(res.body.expires_in).toBe(900);
      expect(res.body.refresh_token).toBeUndefined();
      const token = res.body.access_token as string;

      // Acts as a company admin inside the company …
      const company = await call(live.t, 'GET', `/api/public/v1/companies/${companyId}`, {
        bearer: token,
      });
      expect(company.status).toBe(200);
      const org = await call(live.t, 'POST', '/api/public/v1/organizations', {
        bearer: token,
        body: { companyId, name: `Org ${alg}` },
      });
      expect(org.status).toBe(201);
      // … nowhere else, and without member management or other powers.
      const foreign = await call(live.t, 'GET', `/api/public/v1/companies/${otherCompanyId}`, {
        bearer: token,
      });
      expect(foreign.status).toBe(404);
      const member = await call(live.t, 'POST', `/api/public/v1/companies/${companyId}/members`, {
        bearer: token,
        body: { userId: outsider.id, role: 'member' },
      });
      expect(member.status).toBe(403);
      const newCompany = await call(live.t, 'POST', '/api/public/v1/companies', {
        bearer: token,
        body: { name: 'Escape' },
      });
      expect(newCompany.status).toBe(403);
      const pat = await call(live.t, 'POST', '/api/public/v1/auth/tokens', {
        bearer: token,
        body: { name: 'escape' },
      });
      expect(pat.status).toBe(403);

      const replay = await exchange(jwt);
      expect(replay.status).toBe(400);
      expect(replay.body.error).toBe('invalid_grant');
    });
  }

  test('wrong audience, wrong issuer, too long a lifetime, foreign signature: invalid_grant', async () => {
    const { id, privateKey } = await register('ES256', 'pem');
    const cases = [
      await assertion(id, privateKey, 'ES256', { aud: `${live.base}/api` }),
      await assertion(id, privateKey, 'ES256', { iss: `company:${otherCompanyId}` }),
      await assertion(id, privateKey, 'ES256', { exp: nowSeconds() + 3600 }),
      await assertion(id, privateKey, 'ES256', { exp: nowSeconds() - 120 }),
      await assertion(id, (await generateKeyPair('ES256')).privateKey, 'ES256'),
      await assertion(randomUUID(), privateKey, 'ES256'),
    ];
    for (const jwt of cases) {
      const res = await exchange(jwt);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
    }
    expect((await exchange('not-a-jwt')).body.error).toBe('invalid_grant');
    expect((await form(live.t, '/oauth/token', { grant_type: JWT_BEARER })).body.error).toBe(
      'invalid_request',
    );
  });

  test('a jti PostgreSQL cannot store (NUL) is a bad jti, not a server error', async () => {
    const { id, privateKey } = await register('ES256', 'pem');
    const res = await exchange(await assertion(id, privateKey, 'ES256', { jti: 'a\u0000b' }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'Bad jti' });
  });

  test('a revoked certificate: no new tokens, and its tokens stop at once', async () => {
    const { id, privateKey } = await register('EdDSA', 'pem');
    const token = (await exchange(await assertion(id, privateKey, 'EdDSA'))).body.access_token;
    const me = () => call(live.t, 'GET', '/api/public/v1/auth/me', { bearer: token });
    expect((await me()).status).toBe(200);
    // The revocation refuses tokens issued before it (not-before, in ms): let time move on.
    clock.advance(1);
    const revoked = await call(live.t, 'DELETE', `${certsPath()}/${id}`, { cookie: owner.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.data.revokedAt).toBeString();
    expect((await me()).status).toBe(401);
    const again = await exchange(await assertion(id, privateKey, 'EdDSA'));
    expect(again.body.error).toBe('invalid_grant');
  });

  test('a certificate token ends with /oauth/revoke (RFC 7009), though it has no refresh family', async () => {
    const { id, privateKey } = await register('ES256', 'pem');
    const first = (await exchange(await assertion(id, privateKey, 'ES256'))).body.access_token;
    const second = (await exchange(await assertion(id, privateKey, 'ES256'))).body.access_token;
    const me = (token: string) =>
      call(live.t, 'GET', '/api/public/v1/auth/me', { bearer: token }).then((r) => r.status);
    expect(await me(first)).toBe(200);
    expect((await form(live.t, '/oauth/revoke', { token: first })).status).toBe(200);
    expect(await me(first)).toBe(401);
    // Only that token: the certificate and its other tokens carry on.
    expect(await me(second)).toBe(200);
  });

  test('an expired certificate is refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const res = await call(live.t, 'POST', certsPath(), {
      cookie: owner.token,
      body: {
        name: 'short',
        publicKey: await exportSPKI(publicKey),
        expiresAt: new Date(clock.now() + 1500).toISOString(),
      },
    });
    expect(res.status).toBe(201);
    clock.advance(1600);
    const out = await exchange(await assertion(res.body.data.id, privateKey, 'ES256'));
    expect(out.body.error).toBe('invalid_grant');
  });
});

describe('certificate management', () => {
  test("a certificate's service account is no person: not in the people list, not editable", async () => {
    const { id } = await register('ES256', 'pem');
    const people = await call(live.t, 'GET', '/api/public/v1/users?limit=100', {
      cookie: admin.token,
    });
    expect(people.status).toBe(200);
    expect(people.body.data.every((u: { serviceAccount: boolean }) => !u.serviceAccount)).toBe(
      true,
    );
    expect(JSON.stringify(people.body)).not.toContain(`cert-${id}`);

    const services = await call(live.t, 'GET', '/api/public/v1/users?kind=service&limit=100', {
      cookie: admin.token,
    });
    const account = services.body.data.find((u: { email: string }) =>
      u.email.startsWith(`cert-${id}@`),
    );
    expect(account.serviceAccount).toBe(true);

    const url = `/api/public/v1/users/${account.id}`;
    for (const [method, body] of [
      ['PATCH', { role: 'admin' }],
      ['PATCH', { disabled: false }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(live.t, method, url, { cookie: admin.token, body });
      expect(res.status).toBe(409);
    }
    const after = await call(live.t, 'GET', url, { cookie: admin.token });
    expect(after.body.data.role).toBe('team_member');
  });

  test('weak or unsupported keys are refused with a reason', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const x25519 = generateKeyPairSync('x25519');
    const ed = generateKeyPairSync('ed25519');
    const bodies = [
      { name: 'weak', publicKey: weak.publicKey.export({ type: 'spki', format: 'pem' }) },
      { name: 'p384', publicKey: p384.publicKey.export({ type: 'spki', format: 'pem' }) },
      { name: 'x25519', publicKey: x25519.publicKey.export({ type: 'spki', format: 'pem' }) },
      { name: 'private', publicKey: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) },
      { name: 'private-jwk', jwk: ed.privateKey.export({ format: 'jwk' }) },
      { name: 'garbage', publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' },
      { name: 'none' },
    ];
    const reasons: string[] = [];
    for (const body of bodies) {
      const res = await call(live.t, 'POST', certsPath(), { cookie: owner.token, body });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      reasons.push(res.body.error);
    }
    expect(reasons[0]).toContain('2048');
    expect(reasons[1]).toContain('P-256');
    expect(reasons[3]).toContain('private key');
    expect(reasons[4]).toContain('private');
  });

  test('the same key twice is a 409; lists show fingerprints, never secrets', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const first = await call(live.t, 'POST', certsPath(), {
      cookie: owner.token,
      body: { name: 'dup', publicKey: pem },
    });
    expect(first.status).toBe(201);
    const second = await call(live.t, 'POST', certsPath(), {
      cookie: owner.token,
      body: { name: 'dup again', publicKey: pem },
    });
    expect(second.status).toBe(409);
    const list = await call(live.t, 'GET', certsPath(), { cookie: owner.token });
    expect(list.status).toBe(200);
    expect(list.body.data.some((c: { id: string }) => c.id === first.body.data.id)).toBe(true);
    for (const c of list.body.data) expect(c.publicJwk.d).toBeUndefined();
  });

  test('members without admin rights get 403, other tenants 404', async () => {
    const member = await createUser(live.t, { role: 'team_member' });
    const added = await call(live.t, 'POST', `/api/public/v1/companies/${companyId}/members`, {
      cookie: owner.token,
      body: { userId: member.id, role: 'member' },
    });
    expect(added.status).toBe(201);
    expect((await call(live.t, 'GET', certsPath(), { cookie: member.token })).status).toBe(403);
    expect((await call(live.t, 'GET', certsPath(), { cookie: outsider.token })).status).toBe(404);
    const del = await call(live.t, 'DELETE', `${certsPath()}/${randomUUID()}`, {
      cookie: owner.token,
    });
    expect(del.status).toBe(404);
  });
});
