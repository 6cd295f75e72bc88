import type { Logger } from 'pino';
import type { BreakerState } from '../../clients/kuberag/circuit-breaker';
import type { KubeRagClient } from '../../clients/kuberag/client';
import type { CodegenConfig } from '../../config';
import type { Database } from '../../db/client';
import type { CodegenJobRow } from '../../db/schema';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { AuthUser } from '../auth/types';
import type { TenancyService } from '../tenancy';
import { GeneratorInputError, resolveGraph } from './builtin/model';
import type { Graph } from './graph';
import { isOpen } from './job-status';
import { findJob, insertJob, listJobs, updateOpenJob } from './jobs-repo';
import { type ProjectRef, storeProjectGraph } from './projects';
import type { JobResult } from './result';
import type { JobRunner } from './runner';
import type { StatusBus } from './status-bus';
import type { WsTickets } from './tickets';
import { listLedger, reserveTokens, settleJob } from './tokens';

/** What routes call. Every job-scoped call first checks the caller may see the job (404). */

export interface SubmitInput {
  kind: 'codegen' | 'plan';
  modelProvider: string;
  modelName: string;
  graph: Graph;
  context: string[];
  companyId: string;
  project: ProjectRef;
}

export interface CodegenServiceDeps {
  db: Database;
  tenancy: TenancyService;
  runner: JobRunner;
  bus: StatusBus;
  tickets: WsTickets;
  kuberag?: KubeRagClient;
  config: CodegenConfig;
  logger: Logger;
  instanceId: string;
}

/** What only the built-in generator refuses (an engine it cannot deploy) is a 400 up front. */
function checkBuiltinGraph(graph: Graph) {
  try {
    resolveGraph(graph);
  } catch (err) {
    if (!(err instanceof GeneratorInputError)) throw err;
    throw new ValidationError('The built-in generator cannot build this graph', [
      { path: 'input.graph', message: err.message },
    ]);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class CodegenService {
  constructor(private readonly deps: CodegenServiceDeps) {}

  /** Which engine serves a request: KubeRAG when configured, unless the built-in was asked for. */
  engineFor(modelProvider: string): 'builtin' | 'kuberag' {
    return this.deps.kuberag && modelProvider !== 'builtin' ? 'kuberag' : 'builtin';
  }

  async submit(actor: AuthUser, input: SubmitInput, meta: RequestMeta): Promise<CodegenJobRow> {
    const { db, tenancy, config, kuberag, runner } = this.deps;
    await tenancy.requireCompanyRole(actor, input.companyId);
    const engine = this.engineFor(input.modelProvider);
    // Fail fast, and write nothing, while KubeRAG is known to be down.
    if (engine === 'kuberag') kuberag!.breaker.assertAvailable();
    else checkBuiltinGraph(input.graph);
    const row = await db.transaction(async (tx) => {
      const call = tenancy.withinTransaction(tx, actor, meta);
      const project = await storeProjectGraph(call, input.companyId, input.project, input.graph);
      const job = await insertJob(
        tx,
        {
          companyId: input.companyId,
          projectId: project.id,
          userId: actor.id,
          kind: input.kind,
          engine,
          modelProvider: input.modelProvider,
          modelName: input.modelName,
          input: { graph: input.graph, context: input.context, projectName: project.name },
          leaseOwner: this.deps.instanceId,
        },
        config.leaseMs,
      );
      if (engine === 'kuberag') {
        job.tokensReserved = await reserveTokens(
          tx,
          { companyId: input.companyId, jobId: job.id, userId: actor.id },
          config.tokenEstimate,
        );
      }
      await recordAudit(tx, {
        action: `codegen.${input.kind}_submitted`,
        userId: actor.id,
        resourceType: 'codegen_job',
        resourceId: job.id,
        details: { companyId: input.companyId, projectId: String(project.id), engine },
        ...meta,
      });
      return job;
    });
    if (engine === 'builtin') {
      runner.launch(row);
      return row;
    }
    return this.forward(actor, row, input);
  }

  /** Hands a persisted job to KubeRAG; on failure the job fails and its reservation returns. */
  private async forward(actor: AuthUser, row: CodegenJobRow, input: SubmitInput) {
    const { kuberag, runner, db, instanceId } = this.deps;
    try {
      const { jobId: upstreamJobId } = await kuberag!.submit(input.kind, {
        modelProvider: input.modelProvider,
        modelName: input.modelName,
        graph: input.graph,
        context: input.context,
        companyId: input.companyId,
        userId: String(actor.id),
        projectId: String(row.projectId),
        projectName: row.input.projectName,
      });
      const updated = await updateOpenJob(db, row.id, { upstreamJobId }, instanceId);
      if (updated) runner.launch(updated);
      return updated ?? row;
    } catch (err) {
      await runner.apply(row, { status: 'failed', error: 'KubeRAG did not accept the job' }, 0);
      throw err;
    }
  }

  /** A job the caller may see: they belong to its company. 404 otherwise, never 403. */
  async visibleJob(actor: AuthUser, jobId: string): Promise<CodegenJobRow> {
    if (!UUID.test(jobId)) throw new NotFoundError('Job');
    const row = await findJob(this.deps.db, jobId);
    if (!row) throw new NotFoundError('Job');
    if ((await this.deps.tenancy.companyRole(actor, row.companyId)) === null) {
      throw new NotFoundError('Job');
    }
    return row;
  }

  async result(actor: AuthUser, jobId: string): Promise<{ job: CodegenJobRow; result: JobResult }> {
    const job = await this.visibleJob(actor, jobId);
    if (job.status !== 'succeeded' || !job.result) {
      throw new ConflictError(`Job is ${job.status}; the result exists once it has succeeded`);
    }
    return { job, result: job.result as unknown as JobResult };
  }

  async cancel(actor: AuthUser, jobId: string, meta: RequestMeta): Promise<CodegenJobRow> {
    const job = await this.visibleJob(actor, jobId);
    const { db, kuberag, bus, logger } = this.deps;
    if (!isOpen(job.status)) {
      throw new ConflictError(`Job already ${job.status}`);
    }
    let used = 0;
    if (job.engine === 'kuberag' && job.upstreamJobId && kuberag) {
      try {
        const upstream = await kuberag.cancel(job.upstreamJobId);
        used = Math.max(0, Math.floor(Number(upstream.tokenUsage?.total) || 0));
      } catch (err) {
        // Cancelling here still stops tracking and billing; KubeRAG may finish on its own.
        logger.warn({ err, jobId }, 'kuberag cancel failed; cancelling locally');
      }
    }
    const updated = await db.transaction(async (tx) => {
      const row = await updateOpenJob(tx, jobId, { status: 'cancelled', step: 'Cancelled' });
      if (!row) return undefined;
      await settleJob(tx, row, used);
      await recordAudit(tx, {
        action: 'codegen.cancelled',
        userId: actor.id,
        resourceType: 'codegen_job',
        resourceId: jobId,
        ...meta,
      });
      return row;
    });
    if (!updated) {
      // The tracker may have applied KubeRAG's own "cancelled" first: same outcome, not a 409.
      const now = await findJob(db, jobId);
      if (now?.status === 'cancelled') {
        await recordAudit(db, {
          action: 'codegen.cancelled',
          userId: actor.id,
          resourceType: 'codegen_job',
          resourceId: jobId,
          ...meta,
        });
        return now;
      }
      throw new ConflictError(`Job already ${now?.status ?? 'finished'}`);
    }
    await bus.publish(updated);
    return updated;
  }

  async list(actor: AuthUser, projectId: number, page: { page: number; limit: number }) {
    // Readable project (tenancy decides), and jobs only of the project's own company.
    const { project } = await this.deps.tenancy.requireProject(actor, projectId);
    if ((await this.deps.tenancy.companyRole(actor, project.companyId)) === null) {
      throw new NotFoundError('Project');
    }
    return listJobs(this.deps.db, { projectId }, page);
  }

  async issueTicket(actor: AuthUser, jobId: string) {
    const job = await this.visibleJob(actor, jobId);
    return this.deps.tickets.issue({ user: actor, jobId: job.id });
  }

  redeemTicket(ticket: string) {
    return this.deps.tickets.redeem(ticket);
  }

  async ledger(actor: AuthUser, companyId: string, page: { page: number; limit: number }) {
    await this.deps.tenancy.requireCompanyRole(actor, companyId, 'admin');
    return listLedger(this.deps.db, companyId, page);
  }

  /** For readiness: `disabled` when KubeRAG is not configured. */
  async kuberagHealth(): Promise<'connected' | 'unavailable' | 'disabled'> {
    return this.deps.kuberag ? this.deps.kuberag.healthCheck() : 'disabled';
  }

  /** For deep health: the KubeRAG circuit breaker's state; undefined without KubeRAG. */
  kuberagBreaker(): BreakerState | undefined {
    return this.deps.kuberag?.breaker.state();
  }
}
