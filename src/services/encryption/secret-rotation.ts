import { eq } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client';
import { oauthProviders } from '../../db/schema';
import type { Encryptor } from '../../lib/encryption';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import { totpSecretRotator } from '../auth/mfa-rotator';
import { secretAad } from '../oauth/provider-registry';
import { refreshReplyRotator, signingKeyRotator } from '../tokens/secret-rotators';

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
    const count: RotationCount = { rotated: 0, unreadable: 0 };
    for (const row of rows) {
      if (!encryptor.isStale(row.secret)) continue;
      let plain: string;
      try {
        plain = encryptor.decrypt(row.secret, secretAad(row.id));
      } catch {
        count.unreadable += 1;
        continue;
      }
      await tx
        .update(oauthProviders)
        .set({
          clientSecretEncrypted: encryptor.encrypt(plain, secretAad(row.id)),
          secretKeyId: encryptor.activeKeyId,
        })
        .where(eq(oauthProviders.id, row.id));
      count.rotated += 1;
    }
    return count;
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
