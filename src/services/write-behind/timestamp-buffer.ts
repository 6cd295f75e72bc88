import { type SQL, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client';

export interface TimestampBufferDeps {
  db: Database;
  logger: Logger;
  /** What the buffer records, for the warning logged when a flush fails. */
  name: string;
  /** The one statement that applies a batch; `rows` is a `values` list of (uuid, timestamptz). */
  statement(rows: SQL): SQL;
  flushEveryMs?: number;
}

/**
 * Collects "last seen / last used at" times by id and writes them in one statement per flush,
 * so a request authenticated by a session or token never waits on a database write.
 */
export class TimestampBuffer {
  private pending = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: TimestampBufferDeps) {
    this.timer = setInterval(() => void this.flush(), deps.flushEveryMs ?? 5000);
    this.timer.unref?.();
  }

  add(id: string, at: number): void {
    this.pending.set(id, at);
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
      await this.deps.db.execute(this.deps.statement(rows));
    } catch (err) {
      this.deps.logger.warn(
        { err: (err as Error).message, count: batch.length },
        `${this.deps.name} failed`,
      );
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
