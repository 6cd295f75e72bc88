import { eq } from 'drizzle-orm';
import { userTotp } from '../../db/schema';
import type { RotationCount, SecretRotator } from '../encryption/secret-rotation';
import { totpAad } from './mfa-service';

/** TOTP secrets, for `npm run rotate-encryption-key` (AAD as in mfa-service.ts). */
export const totpSecretRotator: SecretRotator = {
  name: 'user_totp.secret_encrypted',
  async rotate(tx, encryptor) {
    const rows = await tx
      .select({ userId: userTotp.userId, value: userTotp.secretEncrypted })
      .from(userTotp)
      .for('update');
    const count: RotationCount = { rotated: 0, unreadable: 0 };
    for (const row of rows) {
      if (!encryptor.isStale(row.value)) continue;
      const aad = totpAad(row.userId);
      try {
        const plain = encryptor.decrypt(row.value, aad);
        await tx
          .update(userTotp)
          .set({ secretEncrypted: encryptor.encrypt(plain, aad) })
          .where(eq(userTotp.userId, row.userId));
        count.rotated += 1;
      } catch {
        count.unreadable += 1;
      }
    }
    return count;
  },
};
