import { eq, isNotNull } from 'drizzle-orm';
import { refreshTokens, signingKeys } from '../../db/schema';
import { reencryptStale } from '../encryption/reencrypt';
import type { SecretRotator } from '../encryption/secret-rotation';
import { rotationResponseAad } from './refresh-service';
import { signingKeyAad } from './signing-keys';

/**
 * Encrypted values of the token area, for `npm run rotate-encryption-key` and
 * POST /api/v1/admin/encryption/rotate (services/encryption/secret-rotation.ts).
 * The AADs come from the modules that write the values (signing-keys.ts, refresh-service.ts).
 */
export const signingKeyRotator: SecretRotator = {
  name: 'signing_keys.private_key_encrypted',
  async rotate(tx, encryptor) {
    const rows = await tx
      .select({ kid: signingKeys.kid, value: signingKeys.privateKeyEncrypted })
      .from(signingKeys)
      .for('update');
    return reencryptStale(encryptor, rows, {
      value: (row) => row.value,
      aad: (row) => signingKeyAad(row.kid),
      write: (row, privateKeyEncrypted) =>
        tx.update(signingKeys).set({ privateKeyEncrypted }).where(eq(signingKeys.kid, row.kid)),
    });
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
    const store = (id: string, rotationResponse: string | null) =>
      tx.update(refreshTokens).set({ rotationResponse }).where(eq(refreshTokens.id, id));
    return reencryptStale(encryptor, rows, {
      value: (row) => row.value,
      aad: (row) => rotationResponseAad(row.id),
      write: (row, next) => store(row.id, next),
      unreadable: (row) => store(row.id, null),
    });
  },
};
