import { gt, isNull, lt, or, sql } from 'drizzle-orm';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import type { Logger } from 'pino';
import type { SharedStore } from '../../cache/shared-store';
import type { Database, Queryable } from '../../db/client';
import { type SigningKeyRow, signingKeys } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import type { Encryptor } from '../../lib/encryption';
import { type RequestMeta, recordAudit } from '../audit/audit-service';

export type SigningAlgorithm = 'ES256' | 'RS256';
/** The only algorithms a token of ours may name. Everything else (none, HS*, PS*) is refused. */
export const ALLOWED_ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'RS256'];

export interface LoadedKey {
  kid: string;
  alg: SigningAlgorithm;
  publicJwk: JWK;
  publicKey: CryptoKey;
  retiredAt: number | null;
}

export interface SigningKeyOptions {
  algorithm: SigningAlgorithm;
  rsaModulusLength: number;
  /** A retired key stays published this long: the lifetime of the longest token it signed. */
  retainSeconds: number;
}

const CHANNEL = 'keys:changed';
/** Serialises first-start key generation across instances sharing the database. */
const KEY_GENERATION_LOCK = 7_310_500;
/** An unknown kid triggers a reload at most this often (keys rotated on another instance). */
const UNKNOWN_KID_RELOAD_MS = 30_000;
/** The AES-GCM associated data of a stored private key; the rotator must use the same. */
export const signingKeyAad = (kid: string) => `signing_keys:${kid}:private_key`;

export interface SigningKeyRingDeps extends SigningKeyOptions {
  db: Database;
  store: SharedStore;
  encryptor: Encryptor;
  clock: Clock;
  logger: Logger;
}

/**
 * The keys access tokens are signed with. Generated on first start, stored with the private
 * half encrypted, shared by every instance through the database; each instance holds them in
 * memory, so verifying a token never touches the database. Rotation publishes a reload.
 */
export class SigningKeyRing {
  private keys = new Map<string, LoadedKey>();
  private active: { kid: string; alg: SigningAlgorithm; privateKey: CryptoKey } | undefined;
  private loading: Promise<void> | undefined;
  private lastUnknownKidReload = 0;

  constructor(private readonly deps: SigningKeyRingDeps) {
    const { store } = deps;
    store.subscribe(CHANNEL, () => void this.reload());
    store.onResync(() => void this.reload());
  }

  /** Loads (generating on first start) once; later calls are free. */
  ready(): Promise<void> {
    this.loading ??= this.load().catch((err) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  reload(): Promise<void> {
    this.loading = this.load().catch((err) => {
      this.deps.logger.warn({ err: (err as Error).message }, 'signing key reload failed');
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load() {
    let rows = await this.publishedRows(this.deps.db);
    if (!rows.some((r) => r.retiredAt === null)) {
      await this.deps.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${KEY_GENERATION_LOCK})`);
        const again = await this.publishedRows(tx);
        if (!again.some((r) => r.retiredAt === null)) await this.insertNewKey(tx);
      });
      rows = await this.publishedRows(this.deps.db);
    }
    const keys = new Map<string, LoadedKey>();
    const newest = this.newestActive(rows);
    let active: SigningKeyRing['active'];
    for (const row of rows) {
      const alg = row.alg as SigningAlgorithm;
      if (!ALLOWED_ALGORITHMS.includes(alg)) continue;
      const publicJwk = row.publicJwk as JWK;
      keys.set(row.kid, {
        kid: row.kid,
        alg,
        publicJwk,
        publicKey: (await importJWK(publicJwk, alg)) as CryptoKey,
        retiredAt: row.retiredAt?.getTime() ?? null,
      });
      if (row.kid === newest?.kid) {
        const privateJwk = JSON.parse(
          this.deps.encryptor.decrypt(row.privateKeyEncrypted, signingKeyAad(row.kid)),
        ) as JWK;
        active = { kid: row.kid, alg, privateKey: (await importJWK(privateJwk, alg)) as CryptoKey };
      }
    }
    this.keys = keys;
    this.active = active;
  }

  private newestActive(rows: SigningKeyRow[]) {
    return rows
      .filter((r) => r.retiredAt === null)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  }

  /** Active keys and retired keys whose tokens may still be alive. */
  private publishedRows(q: Queryable) {
    const cutoff = new Date(this.deps.clock.now() - this.deps.retainSeconds * 1000);
    return q
      .select()
      .from(signingKeys)
      .where(or(isNull(signingKeys.retiredAt), gt(signingKeys.retiredAt, cutoff)));
  }

  private async insertNewKey(q: Queryable) {
    const alg = this.deps.algorithm;
    const { publicKey, privateKey } = await generateKeyPair(alg, {
      extractable: true,
      ...(alg === 'RS256' ? { modulusLength: this.deps.rsaModulusLength } : {}),
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    await q.insert(signingKeys).values({
      kid,
      alg,
      publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
      privateKeyEncrypted: this.deps.encryptor.encrypt(
        JSON.stringify(privateJwk),
        signingKeyAad(kid),
      ),
      createdAt: new Date(this.deps.clock.now()),
    });
    return kid;
  }

  /** Adds a new active key; the previous ones stay published until their tokens expired. */
  async rotate(actorId: number, meta: RequestMeta) {
    const result = await this.deps.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${KEY_GENERATION_LOCK})`);
      const retired = await tx
        .update(signingKeys)
        .set({ retiredAt: new Date(this.deps.clock.now()) })
        .where(isNull(signingKeys.retiredAt))
        .returning({ kid: signingKeys.kid });
      const kid = await this.insertNewKey(tx);
      await recordAudit(tx, {
        action: 'keys.rotated',
        userId: actorId,
        resourceType: 'signing_key',
        resourceId: kid,
        details: { alg: this.deps.algorithm, retired: retired.map((r) => r.kid) },
        ...meta,
      });
      return { kid, alg: this.deps.algorithm, retired: retired.map((r) => r.kid) };
    });
    await this.reload();
    await this.deps.store.publish(CHANNEL, result.kid);
    return result;
  }

  async signingKey() {
    await this.ready();
    if (!this.active) throw new Error('No active signing key');
    return this.active;
  }

  /** The public key for a kid, in memory. Unknown kids reload at most every 30 s. */
  async verificationKey(kid: string): Promise<LoadedKey | undefined> {
    await this.ready();
    const key = this.keys.get(kid);
    if (key) return key;
    const now = this.deps.clock.now();
    if (now - this.lastUnknownKidReload < UNKNOWN_KID_RELOAD_MS) return undefined;
    this.lastUnknownKidReload = now;
    await this.reload();
    return this.keys.get(kid);
  }

  async jwks() {
    await this.ready();
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }

  async listKeys() {
    const rows = await this.deps.db.select().from(signingKeys);
    return rows.map((r) => ({
      kid: r.kid,
      alg: r.alg,
      createdAt: r.createdAt.toISOString(),
      retiredAt: r.retiredAt?.toISOString() ?? null,
      published: this.keys.has(r.kid),
    }));
  }

  /** Deletes keys retired long enough ago that no token they signed can be alive. */
  async purgeExpired() {
    const cutoff = new Date(this.deps.clock.now() - this.deps.retainSeconds * 1000);
    await this.deps.db.delete(signingKeys).where(lt(signingKeys.retiredAt, cutoff));
  }
}
