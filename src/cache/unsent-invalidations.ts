export type Invalidation = { publish: [channel: string, message: string] } | { del: string[] };

export interface UnsentInvalidationsOptions {
  /** True while the command connection can take commands. */
  ready(): boolean;
  /** Performs one invalidation on Redis. */
  perform(invalidation: Invalidation): Promise<unknown>;
  /** A send failed (the connection dropped under it); it stays queued. */
  onError(err: Error): void;
  /** The queue was full and its oldest entry was dropped. */
  onOverflow(): void;
  max?: number;
}

/**
 * Invalidations (PUBLISH, DEL) that could not be sent while the command connection was down,
 * kept in order and sent as soon as it is back. Dropping one is not safe: another instance
 * whose subscriber reconnected sooner (to the new primary after a failover, say) trusts its
 * cache again and would keep serving a revoked session. Sending one late is harmless: they
 * are idempotent, and status messages carry versions.
 */
export class UnsentInvalidations {
  private readonly queue: Invalidation[] = [];
  private flushing = false;

  constructor(private readonly options: UnsentInvalidationsOptions) {}

  get size(): number {
    return this.queue.length;
  }

  /** Sends now when connected (after anything older still waiting), else queues. */
  send(invalidation: Invalidation): Promise<void> {
    this.queue.push(invalidation);
    if (this.queue.length > (this.options.max ?? 10_000)) {
      this.queue.shift();
      this.options.onOverflow();
    }
    return this.flush();
  }

  /** Sends what waits, in order; called again on every reconnect. Never throws. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0 && this.options.ready()) {
        await this.options.perform(this.queue[0]!);
        this.queue.shift();
      }
    } catch (err) {
      this.options.onError(err as Error);
    } finally {
      this.flushing = false;
    }
  }
}
