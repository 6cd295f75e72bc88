import { lt, or } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { deviceAuthorizations, refreshTokens, usedAssertionIds } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import type { TokenRevocationState } from './revocation-state';
import type { SigningKeyRing } from './signing-keys';

const EVERY_MS = 10 * 60_000;
/** Rows stay a day past their end, for support questions and audit correlation. */
const KEEP_MS = 24 * 3600_000;

export interface TokenMaintenanceDeps {
  db: Database;
  revocations: TokenRevocationState;
  keys: SigningKeyRing;
  clock: Clock;
  logger: Logger;
}

/**
 * Periodic clean-up of token rows nobody can use any more (expired or long-revoked refresh
 * tokens, finished device logins, spent assertion ids, retired keys) and of in-memory
 * revocation entries older than any live access token. Every instance may run it: each
 * statement is an idempotent delete.
 */
export class TokenMaintenance {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: TokenMaintenanceDeps) {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref?.();
  }

  async run() {
    const cutoff = new Date(this.deps.clock.now() - KEEP_MS);
    try {
      this.deps.revocations.prune();
      await this.deps.db
        .delete(refreshTokens)
        .where(or(lt(refreshTokens.expiresAt, cutoff), lt(refreshTokens.revokedAt, cutoff)));
      await this.deps.db
        .delete(deviceAuthorizations)
        .where(lt(deviceAuthorizations.expiresAt, cutoff));
      await this.deps.db
        .delete(usedAssertionIds)
        .where(lt(usedAssertionIds.expiresAt, new Date(this.deps.clock.now())));
      await this.deps.revocations.purgeOld(this.deps.db);
      await this.deps.keys.purgeExpired();
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'token maintenance failed');
    }
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
