import { eq } from 'drizzle-orm';
import { userTotp } from '../../db/schema';
import { reencryptStale } from '../encryption/reencrypt';
import type { SecretRotator } from '../encryption/secret-rotation';
import { totpAad } from './mfa-service';

/** TOTP secrets, for `npm run rotate-encryption-key` (AAD as in mfa-service.ts). */
export const totpSecretRotator: SecretRotator = {
  name: 'user_totp.secret_encrypted',
  async rotate(tx, encryptor) {
    const rows = await tx
      .select({ userId: userTotp.userId, value: userTotp.secretEncrypted })
      .from(userTotp)
      .for('update');
    return reencryptStale(encryptor, rows, {
      value: (row) => row.value,
      aad: (row) => totpAad(row.userId),
      write: (row, secretEncrypted) =>
        tx.update(userTotp).set({ secretEncrypted }).where(eq(userTotp.userId, row.userId)),
    });
  },
};
