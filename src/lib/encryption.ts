import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (OAuth client secrets, signing keys …): AES-256-GCM under a key derived with
 * HKDF-SHA256 from GLOBAL_ENCRYPTION_KEY. Each ciphertext names the key that made it
 * ("v1.<keyId>.<iv>.<ciphertext+tag>"), so the key can be rotated: old keys stay configured
 * (GLOBAL_ENCRYPTION_KEY_PREVIOUS) for decryption while everything is re-encrypted.
 * `aad` binds a ciphertext to its place (e.g. "oauth_providers:okta:client_secret"), so a
 * value copied to another row does not decrypt.
 */
export class Encryptor {
  private readonly keys = new Map<string, Buffer>();
  readonly activeKeyId: string;

  constructor(activeSecret: string, previousSecrets: string[] = []) {
    this.activeKeyId = this.addKey(activeSecret);
    for (const secret of previousSecrets) this.addKey(secret);
  }

  private addKey(secret: string): string {
    const key = Buffer.from(
      hkdfSync('sha256', secret, 'kubegram-server', 'kubegram:aes-256-gcm:v1', 32),
    );
    const id = createHash('sha256').update(key).digest('hex').slice(0, 12);
    this.keys.set(id, key);
    return id;
  }

  encrypt(plaintext: string, aad = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `v1.${this.activeKeyId}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Throws when the value was tampered with, made for another place, or under an unknown key. */
  decrypt(value: string, aad = ''): string {
    const [version, keyId, ivText, bodyText] = value.split('.');
    const key = keyId ? this.keys.get(keyId) : undefined;
    if (version !== 'v1' || !key || !ivText || !bodyText) {
      throw new Error('Unreadable ciphertext (unknown format or key)');
    }
    const body = Buffer.from(bodyText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - 16)),
      decipher.final(),
    ]).toString('utf8');
  }

  keyIdOf(value: string): string | undefined {
    return value.split('.')[1];
  }

  /** True when the value was made under an older key and should be re-encrypted. */
  isStale(value: string): boolean {
    return this.keyIdOf(value) !== this.activeKeyId;
  }
}
