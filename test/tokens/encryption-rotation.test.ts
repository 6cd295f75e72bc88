import { afterAll, beforeAll, expect, test } from 'bun:test';
import { decodeProtectedHeader } from 'jose';
import { signingKeys } from '../../src/db/schema';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { deviceLogin } from './helpers';

const OLD_KEY = 'old-Zq3vX9pL2mN7bR4tY6wE1uI8oA5sD0fGhJ';
const NEW_KEY = 'new-Pm8cV2xL9qT4rW7yE3uI6oA1sD5fG0hJkB';
let first: TestApp;
let user: SeededUser;

beforeAll(async () => {
  first = await createTestApp({ env: { GLOBAL_ENCRYPTION_KEY: OLD_KEY }, redisUrl: 'memory' });
  await createUser(first, { role: 'admin' });
  user = await createUser(first, { role: 'team_member' });
});
afterAll(() => first.close());

test('rotating GLOBAL_ENCRYPTION_KEY re-encrypts the signing keys; the old key can then go', async () => {
  const before = await deviceLogin(first, user);
  const kid = decodeProtectedHeader(before.access_token).kid;
  const rotating = await createTestApp({
    database: first.database,
    redisUrl: 'memory',
    env: { GLOBAL_ENCRYPTION_KEY: NEW_KEY, GLOBAL_ENCRYPTION_KEY_PREVIOUS: OLD_KEY },
  });
  try {
    const result = await rotating.instance.services.encryption.rotation.rotate();
    expect(result['signing_keys.private_key_encrypted']).toEqual({ rotated: 1, unreadable: 0 });
    expect(result['refresh_tokens.rotation_response']?.unreadable).toBe(0);
  } finally {
    await rotating.close();
  }
  const [row] = await first.database.db.select().from(signingKeys);
  const after = await createTestApp({
    database: first.database,
    redisUrl: 'memory',
    env: { GLOBAL_ENCRYPTION_KEY: NEW_KEY },
  });
  try {
    expect(after.instance.services.encryption.encryptor.isStale(row!.privateKeyEncrypted)).toBe(
      false,
    );
    // Only the new key is configured, and the instance still signs with the same key pair.
    const tokens = await deviceLogin(after, user);
    expect(decodeProtectedHeader(tokens.access_token).kid).toBe(kid);
  } finally {
    await after.close();
  }
});
