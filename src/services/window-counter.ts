import type { Clock } from '../lib/clock';

export interface WindowState {
  limit: number;
  remaining: number;
  resetSeconds: number;
  allowed: boolean;
  firstRejection: boolean;
}

/**
 * Fixed-window request counter for one process, synchronous. The general request limit runs
 * on every API request; without Redis it uses this instead of rate-limiter-flexible's memory
 * store, whose promise-per-call machinery cost a fifth of /auth/me's throughput in the
 * benchmark. Same semantics: a window opens at a key's first request and holds `limit` requests.
 */
export class WindowCounter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {
    // Forget finished windows so the map stays as large as the set of active keys.
    this.sweeper = setInterval(() => this.sweep(), Math.max(windowMs, 1000));
    this.sweeper.unref?.();
  }

  hit(key: string): WindowState {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    const allowed = window.count <= this.limit;
    return {
      limit: this.limit,
      remaining: Math.max(0, this.limit - window.count),
      resetSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)),
      allowed,
      firstRejection: window.count === this.limit + 1,
    };
  }

  private sweep() {
    const now = this.clock.now();
    for (const [key, window] of this.windows) if (now >= window.resetAt) this.windows.delete(key);
  }

  stop() {
    clearInterval(this.sweeper);
  }
}
