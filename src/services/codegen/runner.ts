import type { Logger } from 'pino';
import { type KubeRagClient, KubeRagJobError } from '../../clients/kuberag/client';
import type { UpstreamJobStatus } from '../../clients/kuberag/types';
import type { CodegenConfig } from '../../config';
import type { Database } from '../../db/client';
import type { CodegenJobRow } from '../../db/schema';
import { generateManifests } from './builtin/generate';
import { GeneratorInputError } from './builtin/model';
import { planManifests } from './builtin/plan';
import { parseGraph } from './graph';
import { isOpen } from './job-status';
import {
  claimExpired,
  releaseLeases,
  renewLeases,
  type StatusPatch,
  updateOpenJob,
} from './jobs-repo';
import { checkedUpstreamResult, InvalidResultError, type JobResult } from './result';
import type { StatusBus } from './status-bus';
import { settleJob } from './tokens';

/**
 * Drives jobs to a terminal state: runs the built-in generator, or follows a KubeRAG job over
 * its subscription (polling when the subscription cannot be kept). Exactly one instance works
 * on a job: the one holding its lease in the database. Leases are renewed while the instance
 * lives; a sweeper on every instance takes over jobs whose lease ran out.
 */

export interface RunnerDeps {
  db: Database;
  bus: StatusBus;
  kuberag?: KubeRagClient;
  config: CodegenConfig;
  logger: Logger;
  /** This instance's lease-owner id. */
  instanceId: string;
}

interface Tracked {
  stop(): void;
}

const clampProgress = (n: number) => Math.max(0, Math.min(100, Math.round(Number(n) || 0)));

export class JobRunner {
  private readonly tracked = new Map<string, Tracked>();
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private stopped = false;

  constructor(private readonly deps: RunnerDeps) {}

  start(): void {
    const { config } = this.deps;
    const every = (ms: number, task: () => Promise<void>) => {
      const timer = setInterval(() => {
        if (!this.stopped) task().catch((err) => this.deps.logger.warn({ err }, 'codegen timer'));
      }, ms);
      timer.unref?.();
      this.timers.push(timer);
    };
    every(Math.max(50, Math.floor(config.leaseMs / 3)), () => this.heartbeat());
    every(config.sweepMs, () => this.sweep());
  }

  /** The lease-owner id of this instance. */
  get instanceId(): string {
    return this.deps.instanceId;
  }

  /** Jobs this instance is working on right now (for tests and metrics). */
  activeJobs(): string[] {
    return [...this.tracked.keys()];
  }

  /**
   * Stops working. With `releaseLeases` (a clean shutdown) other instances take over at their
   * next sweep; without it (a crash, in tests) they wait for the leases to expire.
   */
  async stop(options: { releaseLeases?: boolean } = {}): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const job of this.tracked.values()) job.stop();
    this.tracked.clear();
    if (options.releaseLeases !== false) {
      await releaseLeases(this.deps.db, this.deps.instanceId).catch(() => {});
    }
  }

  /** Starts work on a job whose lease this instance holds. */
  launch(row: CodegenJobRow): void {
    if (this.stopped || this.tracked.has(row.id)) return;
    if (row.engine === 'builtin') void this.runBuiltin(row);
    else if (!this.deps.kuberag)
      void this.apply(
        row,
        { status: 'failed', error: 'KubeRAG is not configured on this instance' },
        0,
      );
    else if (row.upstreamJobId) this.track(row, this.deps.kuberag);
    else
      void this.apply(row, { status: 'failed', error: 'Submission to KubeRAG was interrupted' }, 0);
  }

  private async heartbeat() {
    const ids = [...this.tracked.keys()];
    const { db, instanceId, config } = this.deps;
    const owned = await renewLeases(db, instanceId, config.leaseMs, ids);
    for (const id of ids) {
      const job = this.tracked.get(id);
      if (!job || owned.has(id)) continue;
      // Finished, or another instance took it over while we stalled: stop writing.
      job.stop();
      this.tracked.delete(id);
    }
  }

  async sweep(): Promise<void> {
    const claimed = await claimExpired(
      this.deps.db,
      this.deps.instanceId,
      this.deps.config.leaseMs,
    );
    for (const row of claimed) {
      this.deps.logger.info({ jobId: row.id }, 'taking over codegen job');
      this.launch(row);
    }
  }

  /**
   * Writes a status change (and, for a terminal one, the token settlement in the same
   * transaction) and publishes it. Undefined when the job had finished or is no longer ours.
   */
  async apply(
    row: CodegenJobRow,
    patch: StatusPatch,
    settleWith?: number,
  ): Promise<CodegenJobRow | undefined> {
    const { db, instanceId } = this.deps;
    const updated =
      settleWith === undefined
        ? await updateOpenJob(db, row.id, patch, instanceId)
        : await db.transaction(async (tx) => {
            const done = await updateOpenJob(tx, row.id, patch, instanceId);
            if (done) await settleJob(tx, done, settleWith);
            return done;
          });
    if (updated) await this.deps.bus.publish(updated);
    return updated;
  }

  private async runBuiltin(row: CodegenJobRow) {
    let cancelled = false;
    this.tracked.set(row.id, { stop: () => (cancelled = true) });
    try {
      const parsed = parseGraph(row.input.graph, Number.MAX_SAFE_INTEGER);
      if (!parsed.success) throw new GeneratorInputError('The stored graph is no longer valid');
      const options = { project: row.input.projectName };
      const run =
        row.kind === 'plan'
          ? planManifests(parsed.data, options)
          : generateManifests(parsed.data, options);
      if (
        !(await this.apply(row, {
          status: 'running',
          progress: 1,
          step: 'Built-in generator started',
        }))
      )
        return;
      for (;;) {
        const next = run.next();
        if (cancelled) return;
        if (next.done) {
          const result: JobResult =
            row.kind === 'plan'
              ? { files: [], plan: next.value }
              : { files: next.value as JobResult['files'] };
          await this.apply(
            row,
            { status: 'succeeded', progress: 100, step: 'Done', result: result as never },
            0,
          );
          return;
        }
        const { step, progress } = next.value;
        if (!(await this.apply(row, { status: 'running', progress, step }))) return;
      }
    } catch (err) {
      const known = err instanceof GeneratorInputError;
      if (!known) this.deps.logger.error({ err, jobId: row.id }, 'built-in generator failed');
      await this.apply(
        row,
        {
          status: 'failed',
          error: known ? (err as Error).message : 'The built-in generator failed',
        },
        0,
      ).catch(() => {});
    } finally {
      this.tracked.delete(row.id);
    }
  }

  private track(row: CodegenJobRow, kuberag: KubeRagClient) {
    const upstreamId = row.upstreamJobId!;
    let stopped = false;
    let unsubscribe: () => void = () => {};
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let chain: Promise<unknown> = Promise.resolve();
    let last = '';
    const stop = () => {
      stopped = true;
      unsubscribe();
      clearTimeout(pollTimer);
    };
    this.tracked.set(row.id, { stop });
    const finish = () => {
      stop();
      this.tracked.delete(row.id);
    };
    const onStatus = (status: UpstreamJobStatus) => {
      chain = chain
        .then(async () => {
          if (stopped) return;
          const key = `${status.status}|${status.progress}|${status.step}`;
          if (key === last && isOpen(status.status)) return;
          last = key;
          if (await this.applyUpstream(row, upstreamId, status, kuberag)) finish();
        })
        .catch((err) =>
          this.deps.logger.warn({ err, jobId: row.id }, 'codegen status write failed'),
        );
      return chain;
    };
    const poll = () => {
      if (stopped) return;
      clearTimeout(pollTimer);
      pollTimer = setTimeout(async () => {
        try {
          await onStatus(await kuberag.status(upstreamId));
        } catch (err) {
          if (err instanceof KubeRagJobError && err.code === 'NOT_FOUND') {
            await this.apply(
              row,
              { status: 'failed', error: 'KubeRAG no longer knows this job' },
              0,
            );
            finish();
            return;
          }
        }
        poll();
      }, this.deps.config.pollMs);
    };
    unsubscribe = kuberag.subscribe(upstreamId, {
      next: (status) => void onStatus(status),
      // Retries exhausted (or the breaker is open): fall back to polling until it finishes.
      error: () => poll(),
      // Completed, but if the result could not be fetched yet the job is still open: poll.
      complete: () => void chain.then(poll),
    });
  }

  /** Returns true once the job reached its terminal state (or is no longer ours). */
  private async applyUpstream(
    row: CodegenJobRow,
    upstreamId: string,
    status: UpstreamJobStatus,
    kuberag: KubeRagClient,
  ): Promise<boolean> {
    if (isOpen(status.status)) {
      const patch = {
        status: status.status,
        progress: clampProgress(status.progress),
        step: status.step?.slice(0, 200) ?? null,
      };
      return !(await this.apply(row, patch));
    }
    const used = Math.max(0, Math.floor(Number(status.tokenUsage?.total) || 0));
    if (status.status === 'succeeded') {
      let result: JobResult;
      try {
        result = checkedUpstreamResult(await kuberag.result(upstreamId));
      } catch (err) {
        if (err instanceof InvalidResultError) {
          this.deps.logger.warn({ jobId: row.id, reason: err.message }, 'invalid kuberag result');
          await this.apply(
            row,
            { status: 'failed', error: 'KubeRAG returned an invalid result' },
            used,
          );
          return true;
        }
        return false; // Upstream unreachable: the poller tries again; nothing is lost.
      }
      const patch = {
        status: 'succeeded' as const,
        progress: 100,
        step: 'Done',
        result: result as never,
      };
      await this.apply(row, patch, used);
      return true;
    }
    const error =
      status.status === 'failed' ? (status.error ?? 'KubeRAG failed').slice(0, 500) : null;
    await this.apply(
      row,
      { status: status.status, error, step: status.step?.slice(0, 200) ?? null },
      used,
    );
    return true;
  }
}
