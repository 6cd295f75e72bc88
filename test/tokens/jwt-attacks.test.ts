import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import {
  base64url,
  createRemoteJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from 'jose';
import { signingKeys } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { deviceLogin, form, type LiveApp, startLiveApp } from './helpers';

let live: LiveApp;
let admin: SeededUser;
let user: SeededUser;
const ME = '/api/public/v1/auth/me';

/** Instances sharing a database share the encryption key too (their signing keys are in it). */
const ENCRYPTION_KEY = {
  GLOBAL_ENCRYPTION_KEY: 'kkkkkkkkZq3vX9pL2mN7bR4tY6wE1uI8oA5sD0fG',
};

beforeAll(async () => {
  live = await startLiveApp({ env: ENCRYPTION_KEY });
  admin = await createUser(live.t, { role: 'admin' });
  user = await createUser(live.t, { role: 'team_member' });
});
afterAll(() => live.close());

const status = async (token: string) => (await call(live.t, 'GET', ME, { bearer: token })).status;

/** A token with our real signing key, so only the tampered part can make it fail. */
async function ourToken(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  opts: { iss?: string; aud?: string; exp?: number } = {},
) {
  const key = await live.t.instance.services.tokens.signingKeys.signingKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'read write', client_id: 'kubegram-cli', ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })
    .setIssuer(opts.iss ?? live.base)
    .setAudience(opts.aud ?? live.base)
    .setSubject(user.id)
    .setIssuedAt(now)
    .setExpirationTime(opts.exp ?? now + 600)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

const b64 = (value: unknown) => base64url.encode(JSON.stringify(value));

describe('access JWTs', () => {
  test('a correctly made token is accepted (the control for every case below)', async () => {
    expect(await status(await ourToken())).toBe(200);
  });

  test('alg none is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: live.base,
      aud: live.base,
      sub: user.id,
      iat: now,
      exp: now + 600,
      jti: randomUUID(),
      scope: 'read write',
      client_id: 'kubegram-cli',
    };
    const kid = decodeProtectedHeader(await ourToken()).kid;
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(payload)}.`;
    expect(await status(unsigned)).toBe(401);
  });

  test('HS256 signed with the public key as the secret is refused', async () => {
    const jwks = (await call(live.t, 'GET', '/.well-known/jwks.json')).body;
    const pub = jwks.keys[0];
    const now = Math.floor(Date.now() / 1000);
    for (const secret of [JSON.stringify(pub), pub.x ?? pub.n]) {
      const forged = await new SignJWT({ scope: 'read write admin', client_id: 'kubegram-cli' })
        .setProtectedHeader({ alg: 'HS256', kid: pub.kid, typ: 'at+jwt' })
        .setIssuer(live.base)
        .setAudience(live.base)
        .setSubject(admin.id)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .setJti(randomUUID())
        .sign(new TextEncoder().encode(secret));
      expect(await status(forged)).toBe(401);
    }
  });

  test('a token signed by a foreign key is refused, whatever kid it names', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const ourKid = decodeProtectedHeader(await ourToken()).kid!;
    const now = Math.floor(Date.now() / 1000);
    for (const kid of [ourKid, 'attacker-key']) {
      const forged = await new SignJWT({ scope: 'read', client_id: 'kubegram-cli' })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(live.base)
        .setAudience(live.base)
        .setSubject(user.id)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .setJti(randomUUID())
        .sign(privateKey);
      expect(await status(forged)).toBe(401);
    }
    // Embedding the attacker's key in the header does not help either.
    const jwk = await exportJWK(publicKey);
    const embedded = await new SignJWT({ scope: 'read', client_id: 'kubegram-cli' })
      .setProtectedHeader({ alg: 'ES256', jwk, typ: 'at+jwt' })
      .setIssuer(live.base)
      .setAudience(live.base)
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .setJti(randomUUID())
      .sign(privateKey);
    expect(await status(embedded)).toBe(401);
  });

  test('jku, x5u and jwk headers are refused even on a validly signed token', async () => {
    expect(await status(await ourToken({}, { jku: 'https://evil.example/jwks' }))).toBe(401);
    expect(await status(await ourToken({}, { x5u: 'https://evil.example/cert' }))).toBe(401);
    const jwks = (await call(live.t, 'GET', '/.well-known/jwks.json')).body;
    expect(await status(await ourToken({}, { jwk: jwks.keys[0] }))).toBe(401);
  });

  test('wrong iss, aud or typ, and expired tokens are refused', async () => {
    expect(await status(await ourToken({}, {}, { iss: 'https://other.example' }))).toBe(401);
    expect(await status(await ourToken({}, {}, { aud: 'https://other.example' }))).toBe(401);
    expect(await status(await ourToken({}, { typ: 'JWT' }))).toBe(401);
    const past = Math.floor(Date.now() / 1000) - 60;
    expect(await status(await ourToken({}, {}, { exp: past }))).toBe(401);
  });

  test('a tampered payload is refused', async () => {
    const [h, p, s] = (await ourToken()).split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p!)));
    const tampered = `${h}.${b64({ ...claims, sub: admin.id })}.${s}`;
    expect(await status(tampered)).toBe(401);
  });

  test('a read-scoped JWT gets 403 on writes', async () => {
    const tokens = await deviceLogin(live.t, user, 'read');
    expect(tokens.scope).toBe('read');
    expect(await status(tokens.access_token)).toBe(200);
    const write = await call(live.t, 'POST', '/api/public/v1/companies', {
      bearer: tokens.access_token,
      body: { name: 'Nope' },
    });
    expect(write.status).toBe(403);
  });
});

describe('signing keys', () => {
  test('stored encrypted; JWKS has public halves only and a Cache-Control', async () => {
    const rows = await live.t.database.db.select().from(signingKeys);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.privateKeyEncrypted).toStartWith('v1.');
      expect(row.privateKeyEncrypted).not.toContain('"d"');
    }
    const jwks = await call(live.t, 'GET', '/.well-known/jwks.json');
    expect(jwks.headers.get('cache-control')).toContain('max-age=');
    for (const key of jwks.body.keys) {
      expect(key.d).toBeUndefined();
      expect(key.kty).toBe('EC');
      expect(key.crv).toBe('P-256');
    }
  });

  test('rotation: new tokens use the new key, old ones verify until they expire', async () => {
    const before = await deviceLogin(live.t, user);
    const oldKid = decodeProtectedHeader(before.access_token).kid;
    const denied = await call(live.t, 'POST', '/api/v1/admin/keys/rotate', { cookie: user.token });
    expect(denied.status).toBe(403);
    const rotated = await call(live.t, 'POST', '/api/v1/admin/keys/rotate', {
      cookie: admin.token,
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body.data.retired).toContain(oldKid);
    const after = await deviceLogin(live.t, user);
    const newKid = decodeProtectedHeader(after.access_token).kid;
    expect(newKid).toBe(rotated.body.data.kid);
    expect(newKid).not.toBe(oldKid);

    const jwks = (await call(live.t, 'GET', '/.well-known/jwks.json')).body;
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(
      expect.arrayContaining([oldKid, newKid]),
    );
    expect(await status(before.access_token)).toBe(200);
    expect(await status(after.access_token)).toBe(200);
    const remote = createRemoteJWKSet(new URL(`${live.base}/.well-known/jwks.json`));
    await jwtVerify(before.access_token, remote, { issuer: live.base, audience: live.base });
    await jwtVerify(after.access_token, remote, { issuer: live.base, audience: live.base });

    // A second instance on the same database signs with the same (new) key.
    const other = await startLiveApp({
      database: live.t.database,
      redisUrl: 'memory',
      env: ENCRYPTION_KEY,
    });
    try {
      const fromOther = await deviceLogin(other.t, user);
      expect(decodeProtectedHeader(fromOther.access_token).kid).toBe(newKid);
    } finally {
      await other.close();
    }

    // Once the old key's tokens have all expired it leaves the JWKS.
    await live.t.database.db
      .update(signingKeys)
      .set({ retiredAt: new Date(Date.now() - 3600_000) })
      .where(eq(signingKeys.kid, oldKid!));
    await live.t.instance.services.tokens.signingKeys.reload();
    const later = (await call(live.t, 'GET', '/.well-known/jwks.json')).body;
    expect(later.keys.map((k: { kid: string }) => k.kid)).toEqual([newKid]);
  });

  test('RS256 by configuration: 2048-bit RSA key, verifiable through JWKS', async () => {
    const rsa = await startLiveApp({ env: { JWT_SIGNING_ALG: 'RS256' }, redisUrl: 'memory' });
    try {
      await createUser(rsa.t, { role: 'admin' });
      const someone = await createUser(rsa.t, { role: 'team_member' });
      const tokens = await deviceLogin(rsa.t, someone);
      expect(decodeProtectedHeader(tokens.access_token).alg).toBe('RS256');
      const jwks = (await call(rsa.t, 'GET', '/.well-known/jwks.json')).body;
      expect(jwks.keys[0].kty).toBe('RSA');
      expect(base64url.decode(jwks.keys[0].n).length * 8).toBeGreaterThanOrEqual(2048);
      const remote = createRemoteJWKSet(new URL(`${rsa.base}/.well-known/jwks.json`));
      await jwtVerify(tokens.access_token, remote, {
        issuer: rsa.base,
        audience: rsa.base,
        algorithms: ['RS256'],
      });
      expect((await call(rsa.t, 'GET', ME, { bearer: tokens.access_token })).status).toBe(200);
    } finally {
      await rsa.close();
    }
  });
});

describe('discovery', () => {
  test('RFC 8414 metadata lists the endpoints, grants and jwks_uri', async () => {
    const res = await call(live.t, 'GET', '/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issuer: live.base,
      token_endpoint: `${live.base}/oauth/token`,
      device_authorization_endpoint: `${live.base}/oauth/device/code`,
      revocation_endpoint: `${live.base}/oauth/revoke`,
      jwks_uri: `${live.base}/.well-known/jwks.json`,
    });
    expect(res.body.grant_types_supported).toEqual([
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
    ]);
  });

  test('token endpoint errors use RFC 6749 shapes, form or JSON', async () => {
    const missing = await form(live.t, '/oauth/token', {});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
    });
    const unsupported = await form(live.t, '/oauth/token', { grant_type: 'password' });
    expect(unsupported.body.error).toBe('unsupported_grant_type');
    const json = await call(live.t, 'POST', '/oauth/token', {
      body: { grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) },
    });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_grant');
    const text = await call(live.t, 'POST', '/oauth/token', {
      body: 'grant_type=refresh_token',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.body.error).toBe('invalid_request');
    const repeated = await call(live.t, 'POST', '/oauth/token', {
      body: 'grant_type=refresh_token&grant_type=refresh_token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(repeated.body.error).toBe('invalid_request');
    const badJson = await call(live.t, 'POST', '/oauth/token', {
      body: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toBe('invalid_request');
  });
});
