import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client';

export interface TokenUsageBufferDeps {
  db: Database;
  logger: Logger;
  flushEveryMs?: number;
}

/**
 * Collects "token used at" times and writes them in one statement per flush, so a request
 * authenticated by a token never waits on a database write (same idea as sessions/touch-buffer).
 */
export class TokenUsageBuffer {
  private pending = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: TokenUsageBufferDeps) {
    const { flushEveryMs = 5000 } = deps;
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref?.();
  }

  add(tokenId: string, usedAt: number): void {
    this.pending.set(tokenId, usedAt);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending = new Map();
    const rows = sql.join(
      batch.map(([id, at]) => sql`(${id}::uuid, ${new Date(at).toISOString()}::timestamptz)`),
      sql`, `,
    );
    try {
      await this.deps.db.execute(sql`
        update personal_access_tokens t
           set last_used_at = greatest(coalesce(t.last_used_at, v.used), v.used)
          from (values ${rows}) as v(id, used)
         where t.id = v.id`);
    } catch (err) {
      this.deps.logger.warn(
        { err: (err as Error).message, count: batch.length },
        'pat usage failed',
      );
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
