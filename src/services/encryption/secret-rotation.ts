import type { Database, Queryable } from '../../db/client';
import type { Encryptor } from '../../lib/encryption';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import { totpSecretRotator } from '../auth/mfa-rotator';
import { clientSecretRotator } from '../oauth/client-secret-rotator';
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

/**
 * Every encrypted value stored by the server. Areas that store secrets add their rotator here,
 * so `npm run rotate-encryption-key` and POST /api/v1/admin/encryption/rotate cover them all.
 */
export const SECRET_ROTATORS: SecretRotator[] = [
  clientSecretRotator,
  signingKeyRotator,
  totpSecretRotator,
  refreshReplyRotator,
];

export interface SecretRotationDeps {
  db: Database;
  /** Encrypts with the active GLOBAL_ENCRYPTION_KEY, opens values under the previous ones. */
  encryptor: Encryptor;
  rotators?: SecretRotator[];
}

/**
 * Re-encrypts everything under the active GLOBAL_ENCRYPTION_KEY (old keys stay readable
 * through GLOBAL_ENCRYPTION_KEY_PREVIOUS until this has run). One transaction, one audit row.
 */
export class SecretRotation {
  constructor(private readonly deps: SecretRotationDeps) {}

  rotate(actor: { userId?: number; meta?: RequestMeta } = {}) {
    const { db, encryptor, rotators = SECRET_ROTATORS } = this.deps;
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
}
