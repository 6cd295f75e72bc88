import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { SharedStore } from '../../cache/shared-store';
import type { Config } from '../../config';
import type { LimitState } from './limit-state';
import { sharedLimiter } from './shared-limiter';

function stateOf(res: RateLimiterRes, points: number, allowed: boolean): LimitState {
  return {
    limit: points,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.ceil(res.msBeforeNext / 1000),
    allowed,
    firstRejection: !allowed && res.consumedPoints === points + 1,
  };
}

async function consume(l: RateLimiterAbstract, key: string): Promise<LimitState> {
  try {
    return stateOf(await l.consume(key), l.points, true);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return stateOf(rejection, l.points, false);
    // The store failed and no insurance answered: fail open rather than lock everyone out.
    return {
      limit: l.points,
      remaining: l.points,
      resetSeconds: 0,
      allowed: true,
      firstRejection: false,
    };
  }
}

/** Seconds until the key may try again, or 0 when it is not blocked. */
async function blockedFor(l: RateLimiterAbstract, key: string): Promise<number> {
  const res = await l.get(key).catch(() => null);
  if (!res || res.consumedPoints < l.points) return 0;
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

export interface AttemptLimitsDeps {
  store: SharedStore;
  config: Pick<Config, 'rateLimit'>;
}

/**
 * The exact limits on guessing: failed logins (per account and address, and per address) and
 * registrations per address. Shared through Redis when it is configured.
 */
export class AttemptLimits {
  private readonly loginAccount: RateLimiterAbstract;
  private readonly loginIp: RateLimiterAbstract;
  private readonly register: RateLimiterAbstract;

  constructor({ store, config }: AttemptLimitsDeps) {
    const r = config.rateLimit;
    this.loginAccount = sharedLimiter(store, 'login_acct', r.loginPerAccount, r.loginWindowSeconds);
    this.loginIp = sharedLimiter(store, 'login_ip', r.loginPerIp, r.loginWindowSeconds);
    this.register = sharedLimiter(store, 'register', r.registerPerIp, r.registerWindowSeconds);
  }

  /** Seconds the login must wait, checked before the password is even looked at. */
  async loginBlockedFor(email: string, ip: string): Promise<number> {
    const [account, address] = await Promise.all([
      blockedFor(this.loginAccount, `${email}|${ip}`),
      blockedFor(this.loginIp, ip),
    ]);
    return Math.max(account, address);
  }

  /** Counts a failed login; returns true when this failure used up the allowance (a lockout). */
  async loginFailed(email: string, ip: string): Promise<boolean> {
    const [account, address] = await Promise.all([
      consume(this.loginAccount, `${email}|${ip}`),
      consume(this.loginIp, ip),
    ]);
    return account.remaining === 0 || address.remaining === 0;
  }

  /** A successful login clears that account's failures from that address. */
  async loginSucceeded(email: string, ip: string): Promise<void> {
    await this.loginAccount.delete(`${email}|${ip}`).catch(() => {});
  }

  registerAttempt(ip: string): Promise<LimitState> {
    return consume(this.register, ip);
  }
}
