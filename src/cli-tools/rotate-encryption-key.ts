/**
 * `npm run rotate-encryption-key`: re-encrypts every stored secret with the active
 * GLOBAL_ENCRYPTION_KEY. Set the new key, move the old one to GLOBAL_ENCRYPTION_KEY_PREVIOUS,
 * run this once (any instance, or stand-alone), then drop the previous key.
 */
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/client';
import { Encryptor } from '../lib/encryption';
import { SecretRotation } from '../services/encryption/secret-rotation';

try {
  const config = loadConfig();
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : config.dataDir,
    poolMax: 2,
  });
  try {
    const encryptor = new Encryptor(config.encryptionKey, config.previousEncryptionKeys);
    const result = await new SecretRotation({ db: database.db, encryptor }).rotate();
    console.log(JSON.stringify({ keyId: encryptor.activeKeyId, result }));
    const unreadable = Object.values(result).reduce((n, r) => n + r.unreadable, 0);
    if (unreadable > 0) {
      console.error(`${unreadable} value(s) could not be decrypted with any configured key`);
      process.exitCode = 2;
    }
  } finally {
    await database.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : (err as Error).message);
  process.exitCode = 1;
}
