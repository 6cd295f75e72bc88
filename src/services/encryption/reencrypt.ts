import type { Encryptor } from '../../lib/encryption';
import type { RotationCount } from './secret-rotation';

export interface ReencryptSpec<Row> {
  /** The stored ciphertext of a row (null: nothing stored). */
  value(row: Row): string | null;
  /** The AAD it was written with. */
  aad(row: Row): string;
  /** Stores the value re-encrypted under the active key. */
  write(row: Row, reencrypted: string): Promise<unknown>;
  /** What happens to a value no configured key opens; left untouched when absent. */
  unreadable?(row: Row): Promise<unknown>;
}

/**
 * The loop every secret rotator shares: each value not under the active key is decrypted with
 * its own AAD and written back encrypted under the active key, and the outcome is counted.
 */
export async function reencryptStale<Row>(
  encryptor: Encryptor,
  rows: Row[],
  spec: ReencryptSpec<Row>,
): Promise<RotationCount> {
  const count: RotationCount = { rotated: 0, unreadable: 0 };
  for (const row of rows) {
    const value = spec.value(row);
    if (!value || !encryptor.isStale(value)) continue;
    const aad = spec.aad(row);
    let plain: string;
    try {
      plain = encryptor.decrypt(value, aad);
    } catch {
      count.unreadable += 1;
      await spec.unreadable?.(row);
      continue;
    }
    await spec.write(row, encryptor.encrypt(plain, aad));
    count.rotated += 1;
  }
  return count;
}
