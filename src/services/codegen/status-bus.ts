import type { Logger } from 'pino';
import type { SharedStore } from '../../cache/shared-store';
import type { CodegenJobRow } from '../../db/schema';

/**
 * Job status changes travel over the shared store's pub/sub (Redis when configured), so a
 * WebSocket on any instance hears about a job tracked by any other. One channel for all jobs,
 * subscribed once per instance, then fanned out in process by job id.
 */

export interface StatusMessage {
  type: 'status';
  jobId: string;
  status: CodegenJobRow['status'];
  progress: number;
  step: string | null;
  error: string | null;
  updatedAt: string;
  /** Monotonic per job (the row's version); receivers ignore anything not newer. */
  version: number;
}

export function statusMessage(row: CodegenJobRow): StatusMessage {
  return {
    type: 'status',
    jobId: row.id,
    status: row.status,
    progress: row.progress,
    step: row.step,
    error: row.error,
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}

const CHANNEL = 'codegen:status';
type Listener = (message: StatusMessage) => void;

export interface StatusBusDeps {
  store: SharedStore;
  logger: Logger;
}

export class StatusBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly deps: StatusBusDeps) {
    const { store, logger } = deps;
    store.subscribe(CHANNEL, (raw) => {
      try {
        this.dispatch(JSON.parse(raw) as StatusMessage);
      } catch (err) {
        logger.warn({ err }, 'unreadable codegen status message');
      }
    });
  }

  async publish(row: CodegenJobRow): Promise<void> {
    const message = statusMessage(row);
    // With Redis away, a publish goes nowhere; this instance's own subscribers still hear it,
    // and other instances catch up from the database (WebSocket hub resync).
    if (this.deps.store.kind === 'redis' && this.deps.store.status() !== 'connected') {
      this.dispatch(message);
      return;
    }
    await this.deps.store.publish(CHANNEL, JSON.stringify(message));
  }

  /** Listens to one job's changes; returns the function that stops listening. */
  listen(jobId: string, listener: Listener): () => void {
    let set = this.listeners.get(jobId);
    if (!set) {
      set = new Set();
      this.listeners.set(jobId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(jobId) === set) this.listeners.delete(jobId);
    };
  }

  /** Called when pub/sub was interrupted and messages may have been missed. */
  onResync(handler: () => void): void {
    this.deps.store.onResync(handler);
  }

  private dispatch(message: StatusMessage) {
    const set = this.listeners.get(message.jobId);
    if (!set) return;
    for (const listener of set) listener(message);
  }
}
