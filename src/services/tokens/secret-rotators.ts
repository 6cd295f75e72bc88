import { eq, isNotNull } from 'drizzle-orm';
import { refreshTokens, signingKeys } from '../../db/schema';
import type { RotationCount, SecretRotator } from '../encryption/secret-rotation';

/**
 * Encrypted values of the token area, for `npm run rotate-encryption-key` and
 * POST /api/v1/admin/encryption/rotate (services/encryption/secret-rotation.ts).
 * The AADs must match the ones used when writing (signing-keys.ts, refresh-service.ts).
 */
export const signingKeyRotator: SecretRotator = {
  name: 'signing_keys.private_key_encrypted',
  async rotate(tx, encryptor) {
    const rows = await tx
      .select({ kid: signingKeys.kid, value: signingKeys.privateKeyEncrypted })
      .from(signingKeys)
      .for('update');
    const count: RotationCount = { rotated: 0, unreadable: 0 };
    for (const row of rows) {
      if (!encryptor.isStale(row.value)) continue;
      const aad = `signing_keys:${row.kid}:private_key`;
      try {
        const plain = encryptor.decrypt(row.value, aad);
        await tx
          .update(signingKeys)
          .set({ privateKeyEncrypted: encryptor.encrypt(plain, aad) })
          .where(eq(signingKeys.kid, row.kid));
        count.rotated += 1;
      } catch {
        count.unreadable += 1;
      }
    }
    return count;
  },
};

/** Grace-window replies of rotated refresh tokens; unreadable ones are simply dropped. */
export const refreshReplyRotator: SecretRotator = {
  name: 'refresh_tokens.rotation_response',
  async rotate(tx, encryptor) {
    const rows = await tx
      .select({ id: refreshTokens.id, value: refreshTokens.rotationResponse })
      .from(refreshTokens)
      .where(isNotNull(refreshTokens.rotationResponse))
      .for('update');
    const count: RotationCount = { rotated: 0, unreadable: 0 };
    for (const row of rows) {
      if (!row.value || !encryptor.isStale(row.value)) continue;
      const aad = `refresh_tokens:${row.id}:rotation_response`;
      let next: string | null = null;
      try {
        next = encryptor.encrypt(encryptor.decrypt(row.value, aad), aad);
        count.rotated += 1;
      } catch {
        count.unreadable += 1;
      }
      await tx
        .update(refreshTokens)
        .set({ rotationResponse: next })
        .where(eq(refreshTokens.id, row.id));
    }
    return count;
  },
};
