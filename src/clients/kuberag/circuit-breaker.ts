import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';

/**
 * Stops hammering an upstream that is down. Closed: calls pass, consecutive failures are
 * counted. Open (after `threshold` failures): calls fail fast for `cooldownMs`. Then exactly one
 * probe call is let through (half-open); its outcome closes or re-opens the circuit, and calls
 * arriving while it runs still fail fast.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export class UpstreamUnavailableError extends AppError {
  constructor(message: string, retryAfterSeconds?: number) {
    const headers: Record<string, string> =
      retryAfterSeconds === undefined
        ? {}
        : { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
    super('UPSTREAM_UNAVAILABLE', message, undefined, 503, headers);
  }
}

export interface BreakerOptions {
  name: string;
  threshold: number;
  cooldownMs: number;
  clock: Clock;
  onStateChange?: (state: BreakerState) => void;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: BreakerState = 'closed';
  private probing = false;

  constructor(private readonly options: BreakerOptions) {}

  state(): BreakerState {
    if (this.current === 'open' && this.cooldownLeft() <= 0) return 'half-open';
    return this.current;
  }

  /** Throws the fail-fast 503 (with Retry-After) when a call would not be let through. */
  assertAvailable(): void {
    const state = this.state();
    if (state === 'open' || (state === 'half-open' && this.probing)) {
      throw new UpstreamUnavailableError(
        `${this.options.name} is unavailable; retry later`,
        Math.max(this.cooldownLeft(), 1000) / 1000,
      );
    }
  }

  private cooldownLeft(): number {
    return this.openedAt + this.options.cooldownMs - this.options.clock.now();
  }

  /**
   * Runs `call` unless the circuit is open. `isFailure` says which errors count against the
   * upstream (a "job not found" answer proves it is alive).
   */
  async run<T>(call: () => Promise<T>, isFailure: (err: unknown) => boolean): Promise<T> {
    this.assertAvailable();
    const state = this.state();
    const probe = state === 'half-open';
    if (probe) this.probing = true;
    try {
      const result = await call();
      this.succeeded();
      return result;
    } catch (err) {
      if (isFailure(err)) this.failed(probe);
      else this.succeeded();
      throw err;
    } finally {
      if (probe) this.probing = false;
    }
  }

  private succeeded() {
    this.failures = 0;
    this.transition('closed');
  }

  private failed(probe: boolean) {
    this.failures += 1;
    if (probe || this.failures >= this.options.threshold) {
      this.openedAt = this.options.clock.now();
      this.transition('open');
    }
  }

  private transition(next: BreakerState) {
    if (this.current === next && next !== 'open') return;
    const changed = this.current !== next;
    this.current = next;
    if (changed) this.options.onStateChange?.(next);
  }
}
