import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import type { CodegenJobRow } from '../../db/schema';
import { TERMINAL_STATUSES } from './job-status';
import { findJobs } from './jobs-repo';
import { type StatusBus, type StatusMessage, statusMessage } from './status-bus';

/**
 * The WebSocket subscribers of this instance, grouped by job. One bus listener per job fans
 * each change out to all of its sockets with one serialisation and one native publish. A
 * subscriber gets the current state on connect, then every newer version, and is closed with
 * 1000 after a terminal state. A periodic read of the database repairs anything pub/sub lost.
 */

export interface Subscriber {
  send(text: string): void;
  close(code: number, reason: string): void;
  ping(): void;
  /** Joins a broadcast topic (Bun: ServerWebSocket.subscribe). */
  join(topic: string): void;
  /** Sends to every socket joined to the topic, natively (Bun: Server.publish). */
  publish(topic: string, text: string): void;
}

interface Member {
  subscriber: Subscriber;
  /** Joined the job's topic: receives published frames from then on. */
  joined: boolean;
}

interface JobGroup {
  members: Set<Member>;
  /** The newest state delivered for the job; older versions are dropped. */
  latest?: StatusMessage;
  unlisten(): void;
}

const PING_SLICES = 10;
const topicOf = (jobId: string) => `codegen:${jobId}`;

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

export interface SubscriptionHubDeps extends HubOptions {
  db: Database;
  bus: StatusBus;
  logger: Logger;
}

export class SubscriptionHub {
  private readonly groups = new Map<string, JobGroup>();
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  /** Attaches made in the same tick share one database read, started after they registered. */
  private pendingReads = new Map<string, Promise<CodegenJobRow | undefined>>();
  private pingTick = 0;

  constructor(private readonly deps: SubscriptionHubDeps) {
    const { bus, pingIntervalMs, resyncIntervalMs } = deps;
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(task, ms);
      timer.unref?.();
      this.timers.push(timer);
    };
    // Pings go out in PING_SLICES portions spread over the interval: one JavaScript call per
    // socket, and 10 000 of them at once would hold up a status change for ~150 ms.
    every(Math.max(1, Math.floor(pingIntervalMs / PING_SLICES)), () => this.pingSlice());
    every(resyncIntervalMs, () => void this.resync());
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
        unlisten: this.deps.bus.listen(jobId, (message) => this.deliver(jobId, message)),
      };
      this.groups.set(jobId, group);
    }
    const member: Member = { subscriber, joined: false };
    group.members.add(member);
    // The bus listener is in place before the read starts, so no change can fall in between;
    // whatever arrived meanwhile is in group.latest, and the newer of the two is sent.
    this.freshRow(jobId)
      .then((row) => {
        if (row) this.deliver(jobId, statusMessage(row));
        this.join(jobId, member);
      })
      .catch((err) => this.deps.logger.warn({ err, jobId }, 'codegen subscribe read failed'));
    return () => this.detach(jobId, member);
  }

  private freshRow(jobId: string): Promise<CodegenJobRow | undefined> {
    let pending = this.pendingReads.get(jobId);
    if (!pending) {
      pending = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => {
          this.pendingReads.delete(jobId);
          return findJobs(this.deps.db, [jobId]);
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

  /** First frame of a new subscriber, then its membership in the job's broadcast topic. */
  private join(jobId: string, member: Member) {
    const group = this.groups.get(jobId);
    if (!group?.members.has(member) || !group.latest) return;
    try {
      member.subscriber.send(clientFrame(group.latest));
      if (TERMINAL_STATUSES.has(group.latest.status)) {
        this.detach(jobId, member);
        member.subscriber.close(1000, 'Job finished');
        return;
      }
      member.subscriber.join(topicOf(jobId));
      member.joined = true;
    } catch {
      this.detach(jobId, member);
    }
  }

  /**
   * One newer state to every joined socket: a single native publish, however many there are
   * (a JavaScript send per socket costs ~15 µs; 10 000 of them would block for 150 ms).
   */
  private deliver(jobId: string, message: StatusMessage) {
    const group = this.groups.get(jobId);
    if (!group || (group.latest && message.version <= group.latest.version)) return;
    group.latest = message;
    const joined = [...group.members].filter((m) => m.joined);
    if (joined.length === 0) return;
    joined[0]!.subscriber.publish(topicOf(jobId), clientFrame(message));
    if (!TERMINAL_STATUSES.has(message.status)) return;
    for (const member of joined) {
      this.detach(jobId, member);
      try {
        member.subscriber.close(1000, 'Job finished');
      } catch {}
    }
  }

  private pingSlice() {
    const slice = this.pingTick++ % PING_SLICES;
    let i = 0;
    for (const group of this.groups.values()) {
      for (const member of group.members) {
        if (i++ % PING_SLICES !== slice) continue;
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
      for (const row of await findJobs(this.deps.db, ids)) this.deliver(row.id, statusMessage(row));
    } catch (err) {
      this.deps.logger.warn({ err }, 'codegen subscription resync failed');
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
