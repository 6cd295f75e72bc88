import { eq } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client';
import { oauthProviders } from '../../db/schema';
import type { Encryptor } from '../../lib/encryption';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import { totpSecretRotator } from '../auth/mfa-rotator';
import { secretAad } from '../oauth/provider-registry';
import { refreshReplyRotator, signingKeyRotator } from '../tokens/secret-rotators';
import { reencryptStale } from './reencrypt';

export interface RotationCount {
  rotated: number;
  /** Values no configured key can open (their key was dropped too early). Left untouched. */
  unreadable: number;
}

/** One kind of encrypted value at rest; re-encrypts its stale values with the active key. */
export interface SecretRotator {
  name: string;
  rotate(tx: Queryable, encryptor: Encryptor): Promise<RotationCount>;
}

const oauthClientSecrets: SecretRotator = {
  name: 'oauth_providers.client_secret',
  async rotate(tx, encryptor) {
    const rows = await tx
      .select({ id: oauthProviders.id, secret: oauthProviders.clientSecretEncrypted })
      .from(oauthProviders)
      .for('update');
    return reencryptStale(encryptor, rows, {
      value: (row) => row.secret,
      aad: (row) => secretAad(row.id),
      write: (row, clientSecretEncrypted) =>
        tx
          .update(oauthProviders)
          .set({ clientSecretEncrypted, secretKeyId: encryptor.activeKeyId })
          .where(eq(oauthProviders.id, row.id)),
    });
  },
};

/**
 * Every encrypted value stored by the server. Areas that store secrets add their rotator here,
 * so `npm run rotate-encryption-key` and POST /api/v1/admin/encryption/rotate cover them all.
 */
export const SECRET_ROTATORS: SecretRotator[] = [
  oauthClientSecrets,
  signingKeyRotator,
  totpSecretRotator,
  refreshReplyRotator,
];

/**
 * Re-encrypts everything under the active GLOBAL_ENCRYPTION_KEY (old keys stay readable
 * through GLOBAL_ENCRYPTION_KEY_PREVIOUS until this has run). One transaction, one audit row.
 */
export async function rotateStoredSecrets(
  db: Database,
  encryptor: Encryptor,
  actor: { userId?: number; meta?: RequestMeta } = {},
  rotators: SecretRotator[] = SECRET_ROTATORS,
): Promise<Record<string, RotationCount>> {
  return db.transaction(async (tx) => {
    const result: Record<string, RotationCount> = {};
    for (const rotator of rotators) result[rotator.name] = await rotator.rotate(tx, encryptor);
    await recordAudit(tx, {
      action: 'encryption.rotate',
      userId: actor.userId,
      details: { keyId: encryptor.activeKeyId, result },
      ...actor.meta,
    });
    return result;
  });
}
