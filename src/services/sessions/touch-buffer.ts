import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client';

export interface TouchBufferDeps {
  db: Database;
  idleSeconds: number;
  logger: Logger;
  flushEveryMs?: number;
}

/**
 * Collects "session seen at" updates and writes them in one statement per flush, so an
 * authenticated request never waits on a database write.
 */
export class TouchBuffer {
  private pending = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: TouchBufferDeps) {
    const { flushEveryMs = 5000 } = deps;
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref?.();
  }

  add(sessionId: string, seenAt: number): void {
    this.pending.set(sessionId, seenAt);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending = new Map();
    const rows = sql.join(
      batch.map(([id, seen]) => sql`(${id}::uuid, ${new Date(seen).toISOString()}::timestamptz)`),
      sql`, `,
    );
    try {
      await this.deps.db.execute(sql`
        update sessions s
           set last_seen_at = greatest(s.last_seen_at, v.seen),
               idle_expires_at = greatest(s.idle_expires_at, v.seen + make_interval(secs => ${this.deps.idleSeconds}))
          from (values ${rows}) as v(id, seen)
         where s.id = v.id and s.revoked_at is null`);
    } catch (err) {
      this.deps.logger.warn(
        { err: (err as Error).message, count: batch.length },
        'session touch failed',
      );
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
