import type { SharedStore } from '../../cache/shared-store';
import type { Clock } from '../../lib/clock';
import { newOpaqueToken, sha256Hex } from '../../lib/tokens';
import type { AuthUser } from '../auth/types';

/**
 * Short-lived, single-use tickets for opening a job's WebSocket without a cookie (CLI and other
 * non-browser clients), so no long-lived credential ever travels in a URL. Kept by their
 * SHA-256 in the shared store; with Redis, GETDEL makes "single use" hold across instances.
 */

export interface TicketClaims {
  user: AuthUser;
  jobId: string;
}

const PREFIX = 'codegen:ticket:';
const TICKET = /^[A-Za-z0-9_-]{43}$/;

export interface WsTicketsDeps {
  store: SharedStore;
  ttlSeconds: number;
  clock: Clock;
}

export class WsTickets {
  /** Only used without Redis, where there is one instance. */
  private readonly local = new Map<string, { claims: TicketClaims; expiresAt: number }>();

  constructor(private readonly deps: WsTicketsDeps) {}

  async issue(claims: TicketClaims): Promise<{ ticket: string; expiresAt: string }> {
    const ticket = newOpaqueToken();
    const key = sha256Hex(ticket);
    const expiresAt = this.deps.clock.now() + this.deps.ttlSeconds * 1000;
    if (this.deps.store.redis) {
      await this.deps.store.redis.set(
        PREFIX + key,
        JSON.stringify(claims),
        'EX',
        this.deps.ttlSeconds,
      );
    } else {
      this.sweepLocal();
      this.local.set(key, { claims, expiresAt });
    }
    return { ticket, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The ticket's claims, once; undefined for an unknown, used or expired ticket. */
  async redeem(ticket: string): Promise<TicketClaims | undefined> {
    if (!TICKET.test(ticket)) return undefined;
    const key = sha256Hex(ticket);
    if (this.deps.store.redis) {
      const raw = await this.deps.store.redis.getdel(PREFIX + key).catch(() => null);
      return raw ? (JSON.parse(raw) as TicketClaims) : undefined;
    }
    const entry = this.local.get(key);
    this.local.delete(key);
    if (!entry || entry.expiresAt <= this.deps.clock.now()) return undefined;
    return entry.claims;
  }

  private sweepLocal() {
    const now = this.deps.clock.now();
    for (const [key, entry] of this.local) if (entry.expiresAt <= now) this.local.delete(key);
  }
}
