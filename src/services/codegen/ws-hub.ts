import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import type { CodegenJobRow } from '../../db/schema';
import { findJobs } from './jobs-repo';
import { type StatusBus, type StatusMessage, statusMessage } from './status-bus';

/**
 * The WebSocket subscribers of this instance, grouped by job. One bus listener per job fans
 * each change out to all of its sockets with a single serialisation. A subscriber gets the
 * current state on connect, then every newer version, and is closed with 1000 after a
 * terminal state. A periodic read of the database repairs anything pub/sub lost.
 */

export interface Subscriber {
  send(text: string): void;
  close(code: number, reason: string): void;
  ping(): void;
}

interface Member {
  subscriber: Subscriber;
  /** Version last sent; older or equal versions are not sent again. */
  sent: number;
}

interface JobGroup {
  members: Set<Member>;
  unlisten(): void;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export function clientFrame(message: StatusMessage): string {
  const frame: Record<string, unknown> = {
    type: 'status',
    jobId: message.jobId,
    status: message.status,
    progress: message.progress,
    step: message.step,
    updatedAt: message.updatedAt,
  };
  if (message.error) frame.error = message.error;
  return JSON.stringify(frame);
}

export interface HubOptions {
  pingIntervalMs: number;
  resyncIntervalMs: number;
}

export class SubscriptionHub {
  private readonly groups = new Map<string, JobGroup>();
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  /** Attaches made in the same tick share one database read, started after they registered. */
  private pendingReads = new Map<string, Promise<CodegenJobRow | undefined>>();

  constructor(
    private readonly db: Database,
    private readonly bus: StatusBus,
    options: HubOptions,
    private readonly logger: Logger,
  ) {
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(task, ms);
      timer.unref?.();
      this.timers.push(timer);
    };
    every(options.pingIntervalMs, () => this.pingAll());
    every(options.resyncIntervalMs, () => void this.resync());
    bus.onResync(() => void this.resync());
  }

  subscriberCount(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group.members.size;
    return n;
  }

  /** Registers a socket for a job; returns the function to call when the socket closes. */
  attach(jobId: string, subscriber: Subscriber): () => void {
    let group = this.groups.get(jobId);
    if (!group) {
      const members = new Set<Member>();
      group = {
        members,
        unlisten: this.bus.listen(jobId, (message) => this.deliver(jobId, message)),
      };
      this.groups.set(jobId, group);
    }
    const member: Member = { subscriber, sent: 0 };
    group.members.add(member);
    // The listener is in place before the read starts, so no change can fall in between.
    this.freshRow(jobId)
      .then((row) => {
        if (row && group.members.has(member)) this.send(jobId, member, statusMessage(row));
      })
      .catch((err) => this.logger.warn({ err, jobId }, 'codegen subscribe read failed'));
    return () => this.detach(jobId, member);
  }

  private freshRow(jobId: string): Promise<CodegenJobRow | undefined> {
    let pending = this.pendingReads.get(jobId);
    if (!pending) {
      pending = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => {
          this.pendingReads.delete(jobId);
          return findJobs(this.db, [jobId]);
        })
        .then((rows) => rows[0]);
      this.pendingReads.set(jobId, pending);
    }
    return pending;
  }

  private detach(jobId: string, member: Member) {
    const group = this.groups.get(jobId);
    if (!group) return;
    group.members.delete(member);
    if (group.members.size === 0) {
      group.unlisten();
      this.groups.delete(jobId);
    }
  }

  private deliver(jobId: string, message: StatusMessage) {
    const group = this.groups.get(jobId);
    if (!group) return;
    let frame: string | undefined;
    for (const member of group.members) {
      if (message.version <= member.sent) continue;
      frame ??= clientFrame(message);
      this.send(jobId, member, message, frame);
    }
  }

  private send(jobId: string, member: Member, message: StatusMessage, frame?: string) {
    if (message.version <= member.sent) return;
    member.sent = message.version;
    try {
      member.subscriber.send(frame ?? clientFrame(message));
      if (TERMINAL.has(message.status)) {
        this.detach(jobId, member);
        member.subscriber.close(1000, 'Job finished');
      }
    } catch {
      this.detach(jobId, member);
    }
  }

  private pingAll() {
    for (const group of this.groups.values()) {
      for (const member of group.members) {
        try {
          member.subscriber.ping();
        } catch {}
      }
    }
  }

  /** Re-reads every watched job and sends what pub/sub may have dropped. */
  async resync(): Promise<void> {
    const ids = [...this.groups.keys()];
    if (ids.length === 0) return;
    try {
      for (const row of await findJobs(this.db, ids)) this.deliver(row.id, statusMessage(row));
    } catch (err) {
      this.logger.warn({ err }, 'codegen subscription resync failed');
    }
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    for (const [jobId, group] of this.groups) {
      for (const member of group.members) {
        try {
          member.subscriber.close(1001, 'Server shutting down');
        } catch {}
      }
      group.unlisten();
      this.groups.delete(jobId);
    }
  }
}
