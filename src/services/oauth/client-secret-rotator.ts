import { eq } from 'drizzle-orm';
import { oauthProviders } from '../../db/schema';
import { reencryptStale } from '../encryption/reencrypt';
import type { SecretRotator } from '../encryption/secret-rotation';
import { clientSecretAad } from './provider-registry';

/** Client secrets of database-configured sign-in providers (AAD as the registry reads them). */
export const clientSecretRotator: SecretRotator = {
  name: 'oauth_providers.client_secret',
  async rotate(tx, encryptor) {
    const rows = await tx
      .select({ id: oauthProviders.id, secret: oauthProviders.clientSecretEncrypted })
      .from(oauthProviders)
      .for('update');
    return reencryptStale(encryptor, rows, {
      value: (row) => row.secret,
      aad: (row) => clientSecretAad(row.id),
      write: (row, clientSecretEncrypted) =>
        tx
          .update(oauthProviders)
          .set({ clientSecretEncrypted, secretKeyId: encryptor.activeKeyId })
          .where(eq(oauthProviders.id, row.id)),
    });
  },
};
