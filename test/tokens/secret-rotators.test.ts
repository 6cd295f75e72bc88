import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Encryptor } from '../../src/lib/encryption';
import { totpSecretRotator } from '../../src/services/auth/mfa-rotator';
import { SecretRotation, type SecretRotator } from '../../src/services/encryption/secret-rotation';
import { clientSecretRotator } from '../../src/services/oauth/client-secret-rotator';
import { refreshReplyRotator, signingKeyRotator } from '../../src/services/tokens/secret-rotators';
import { call } from '../helpers/http';
import { enableMfa } from '../helpers/mfa';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { deviceLogin, form } from './helpers';

/**
 * Encrypt → rotate → decrypt for every rotator, one at a time: the owning service writes a
 * secret under the old key, the rotator alone re-encrypts it, and the owning service reads it
 * back on an instance that has only the new key. A rotator whose AAD drifted from its owner's
 * counts the value as unreadable and leaves it under the old key, so these tests fail.
 */

const OLD_KEY = 'old-rotators-Zq3vX9pL2mN7bR4tY6wE1uI8o';
const NEW_KEY = 'new-rotators-Pm8cV2xL9qT4rW7yE3uI6oA1s';
const ENV = { REFRESH_GRACE_SECONDS: '300' };
let writer: TestApp;
let admin: SeededUser;

beforeAll(async () => {
  writer = await createTestApp({
    env: { ...ENV, GLOBAL_ENCRYPTION_KEY: OLD_KEY },
    redisUrl: 'memory',
  });
  admin = await createUser(writer, { role: 'admin' });
});
afterAll(() => writer.close());

/** Runs one rotator with the new key active and the old one still readable. */
function rotateOnly(rotator: SecretRotator) {
  const encryptor = new Encryptor(NEW_KEY, [OLD_KEY]);
  return new SecretRotation({ db: writer.database.db, encryptor, rotators: [rotator] }).rotate();
}

/** Another instance on the same database that knows only the new key. */
async function withNewKeyOnly<T>(work: (reader: TestApp) => Promise<T>): Promise<T> {
  const reader = await createTestApp({
    database: writer.database,
    redisUrl: 'memory',
    env: { ...ENV, GLOBAL_ENCRYPTION_KEY: NEW_KEY },
  });
  try {
    return await work(reader);
  } finally {
    await reader.close();
  }
}

describe('every secret rotator re-encrypts what its owner wrote, readably', () => {
  test('OAuth client secrets (oauth-config-service writes, provider-registry reads)', async () => {
    await writer.instance.services.oauth.config.create(
      { id: 'rotated-gh', type: 'github', clientId: 'gh-id', clientSecret: 'gh-secret-value' },
      Number(admin.id),
      {},
    );
    expect(await rotateOnly(clientSecretRotator)).toEqual({
      [clientSecretRotator.name]: { rotated: 1, unreadable: 0 },
    });
    const provider = await withNewKeyOnly(async (reader) =>
      (await reader.instance.services.oauth.providers.all()).find((p) => p.id === 'rotated-gh'),
    );
    expect(provider?.clientSecret).toBe('gh-secret-value');
  });

  test('signing keys (the key ring writes and reads its private keys)', async () => {
    const { kid } = await writer.instance.services.tokens.signingKeys.signingKey();
    expect(await rotateOnly(signingKeyRotator)).toEqual({
      [signingKeyRotator.name]: { rotated: 1, unreadable: 0 },
    });
    const active = await withNewKeyOnly((reader) =>
      reader.instance.services.tokens.signingKeys.signingKey(),
    );
    expect(active.kid).toBe(kid);
  });

  test('TOTP secrets (mfa-service writes them at enrolment, reads them at sign-in)', async () => {
    const user = await createUser(writer, { role: 'team_member' });
    const { app } = await enableMfa(writer, user);
    expect(await rotateOnly(totpSecretRotator)).toEqual({
      [totpSecretRotator.name]: { rotated: 1, unreadable: 0 },
    });
    const login = await withNewKeyOnly((reader) =>
      call(reader, 'POST', '/api/public/v1/auth/login', {
        body: { email: user.email, password: user.password, mfaCode: app.generate() },
      }),
    );
    expect(login.status).toBe(200);
  });

  test('refresh-token grace replies (refresh-service writes them on rotation, replays them)', async () => {
    const user = await createUser(writer, { role: 'team_member' });
    const first = await deviceLogin(writer, user);
    const grant = { grant_type: 'refresh_token', refresh_token: first.refresh_token };
    const rotated = await form(writer, '/oauth/token', grant);
    expect(rotated.status).toBe(200);
    expect(await rotateOnly(refreshReplyRotator)).toEqual({
      [refreshReplyRotator.name]: { rotated: 1, unreadable: 0 },
    });
    // The new-key instance must also open the signing key to answer at all.
    await rotateOnly(signingKeyRotator);
    const retried = await withNewKeyOnly((reader) => form(reader, '/oauth/token', grant));
    expect(retried.status).toBe(200);
    expect(retried.body.refresh_token).toBe(rotated.body.refresh_token);
  });
});
