import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client';
import { oauthProviders } from '../../src/db/schema';
import { Encryptor } from '../../src/lib/encryption';
import { call } from '../helpers/http';
import { type TestRedis, testRedis } from '../helpers/private-redis';
import { missingRedis } from '../helpers/requirements';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait';
import { signIn } from './helpers/flows';
import { type Idp, startIdp } from './helpers/idp';

const APP_URL = 'http://localhost:8090';
const KEY_1 = 'first-encryption-key-0123456789-abcdefghij';
const KEY_2 = 'second-encryption-key-9876543210-zyxwvutsr';

const providerIds = async (app: TestApp) =>
  (await call(app, 'GET', '/api/public/v1/auth/providers')).body.providers.map(
    (p: { id: string }) => p.id,
  );

/** Milliseconds until `check` holds on the other instance (1 s at most). */
async function timeUntil(check: () => Promise<boolean>, what: string): Promise<number> {
  const started = performance.now();
  await waitFor(check, { timeoutMs: 1000, what });
  return performance.now() - started;
}

describe.skipIf(missingRedis())('two instances sharing Redis', () => {
  let idp: Idp;
  let redis: TestRedis;
  let a: TestApp;
  let b: TestApp;
  let admin: SeededUser;

  beforeAll(async () => {
    idp = await startIdp({ redirectUris: [`${APP_URL}/oauth/shared-sso/callback`] });
    redis = await testRedis();
    a = await createTestApp({ redisUrl: redis.url, env: { GLOBAL_ENCRYPTION_KEY: KEY_1 } });
    // Instance B: same database, same Redis prefix, its own process-local caches.
    b = await createTestApp({
      redisUrl: redis.url,
      database: a.database,
      redisPrefix: a.redisPrefix,
      env: { GLOBAL_ENCRYPTION_KEY: KEY_2, GLOBAL_ENCRYPTION_KEY_PREVIOUS: KEY_1 },
    });
    admin = await createUser(a);
  }, 30_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.release();
    await idp?.close();
  });

  test('an admin change on A reaches B within 1 s; B signs in with it without a restart', async () => {
    // B has cached the provider list before the change.
    expect(await providerIds(b)).toEqual(['password']);
    const created = await call(a, 'POST', '/api/v1/admin/oauth-config', {
      cookie: admin.token,
      body: {
        id: 'shared-sso',
        type: 'oidc',
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        issuer: idp.issuer,
        allowSignup: true,
      },
    });
    expect(created.status).toBe(201);
    const reached = await timeUntil(
      async () => (await providerIds(b)).includes('shared-sso'),
      'the new provider on B',
    );
    console.log(`[measure] provider creation visible on instance B after ${reached.toFixed(1)} ms`);
    expect(reached).toBeLessThan(1000);

    // B decrypts A's secret through its previous key and completes a sign-in.
    const res = await signIn(b, '/oauth/shared-sso', 'dave');
    expect(res.landed).toBeDefined();

    const disabled = await call(a, 'PUT', '/api/v1/admin/oauth-config/shared-sso', {
      cookie: admin.token,
      body: { enabled: false },
    });
    expect(disabled.status).toBe(200);
    const gone = await timeUntil(
      async () => (await b.request('/oauth/shared-sso')).status === 404,
      'the provider gone on B',
    );
    console.log(`[measure] provider disabling effective on instance B after ${gone.toFixed(1)} ms`);
    expect(gone).toBeLessThan(1000);
  });

  test('key rotation through the admin endpoint re-encrypts with the active key', async () => {
    const [before] = await a.database.db.select().from(oauthProviders);
    expect(before!.secretKeyId).toBe(a.instance.services.encryption.encryptor.activeKeyId);
    const bAdmin = await call(b, 'POST', '/api/public/v1/auth/login', {
      body: { email: admin.email, password: admin.password },
    });
    const res = await call(b, 'POST', '/api/v1/admin/encryption/rotate', {
      cookie: bAdmin.setToken,
    });
    expect(res.status).toBe(200);
    expect(res.body.data.result['oauth_providers.client_secret']).toEqual({
      rotated: 1,
      unreadable: 0,
    });
    const [after] = await a.database.db.select().from(oauthProviders);
    expect(after!.secretKeyId).toBe(b.instance.services.encryption.encryptor.activeKeyId);
    expect(after!.secretKeyId).not.toBe(before!.secretKeyId);
    const plain = new Encryptor(KEY_2).decrypt(
      after!.clientSecretEncrypted,
      'oauth_providers:shared-sso:client_secret',
    );
    expect(plain).toBe(idp.clientSecret);
    // Copied to another provider's row, the ciphertext does not decrypt (AAD binds it).
    expect(() =>
      new Encryptor(KEY_2).decrypt(
        after!.clientSecretEncrypted,
        'oauth_providers:other:client_secret',
      ),
    ).toThrow();
  });
});

describe('npm run rotate-encryption-key', () => {
  test('re-encrypts every stored secret with the active key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-rotate-'));
    try {
      const db = await openDatabase({ dataDir: dir });
      const old = new Encryptor(KEY_1);
      await db.db.insert(oauthProviders).values({
        id: 'corp',
        type: 'oidc',
        displayName: 'Corp',
        clientId: 'c',
        clientSecretEncrypted: old.encrypt('s3cret', 'oauth_providers:corp:client_secret'),
        secretKeyId: old.activeKeyId,
        issuer: 'https://idp.example.com',
        scopes: ['openid'],
      });
      await db.close();
      const run = Bun.spawnSync([process.execPath, 'src/cli-tools/rotate-encryption-key.ts'], {
        cwd: join(import.meta.dir, '../..'),
        env: {
          ...process.env,
          NODE_ENV: 'test',
          DATABASE_URL: '',
          DATA_DIR: dir,
          GLOBAL_ENCRYPTION_KEY: KEY_2,
          GLOBAL_ENCRYPTION_KEY_PREVIOUS: KEY_1,
        },
      });
      expect(run.exitCode).toBe(0);
      expect(JSON.parse(run.stdout.toString()).result['oauth_providers.client_secret']).toEqual({
        rotated: 1,
        unreadable: 0,
      });
      const reopened = await openDatabase({ dataDir: dir });
      const [row] = await reopened.db
        .select()
        .from(oauthProviders)
        .where(eq(oauthProviders.id, 'corp'));
      await reopened.close();
      const fresh = new Encryptor(KEY_2);
      expect(row!.secretKeyId).toBe(fresh.activeKeyId);
      expect(fresh.decrypt(row!.clientSecretEncrypted, 'oauth_providers:corp:client_secret')).toBe(
        's3cret',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
