import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server, ServerWebSocket } from 'bun';
import { GraphQLError } from 'graphql';
import { handleProtocols, makeHandler } from 'graphql-ws/use/bun';
import { createSchema, createYoga } from 'graphql-yoga';
import type {
  GenerateCodeInput,
  JobKind,
  UpstreamJobStatus,
} from '../../src/clients/kuberag/types';
import { TERMINAL_STATUSES } from '../../src/services/codegen/job-status';
import { freePort } from '../helpers/private-redis';

/**
 * A real KubeRAG stand-in for tests: graphql-yoga over HTTP and graphql-ws over WebSocket on a
 * loopback port, serving src/clients/kuberag/schema.graphql. Knobs make it slow, failing,
 * drop its subscriptions mid-job, or go down and come back on the same port.
 */

type Listener = (status: UpstreamJobStatus) => void;

interface FakeJob {
  state: UpstreamJobStatus;
  input: GenerateCodeInput;
  listeners: Set<Listener>;
  timer?: ReturnType<typeof setTimeout>;
}

export interface KubeRagKnobs {
  /** Delay before every HTTP answer. */
  delayMs: number;
  /** Every HTTP request answers 500. */
  failing: boolean;
  /** Jobs move by themselves (queued → running … → succeeded) every stepMs. */
  autoRun: boolean;
  stepMs: number;
  /** Token usage reported on completion. */
  tokensPerJob: number;
}

const TYPE_DEFS = readFileSync(
  join(import.meta.dir, '../../src/clients/kuberag/schema.graphql'),
  'utf8',
);

export interface FakeKubeRag {
  url: string;
  wsUrl: string;
  knobs: KubeRagKnobs;
  jobs: Map<string, FakeJob>;
  submissions: GenerateCodeInput[];
  requests: number;
  /** WebSocket connections accepted so far. */
  connections: number;
  /** Moves a job to a new state (manual mode) and pushes it to subscribers. */
  update(jobId: string, patch: Partial<UpstreamJobStatus>): void;
  /** Closes every subscription socket abruptly, as a crashing pod would. */
  dropSubscriptions(): void;
  openSockets(): number;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFakeKubeRag(knobs: Partial<KubeRagKnobs> = {}): Promise<FakeKubeRag> {
  const settings: KubeRagKnobs = {
    delayMs: 0,
    failing: false,
    autoRun: true,
    stepMs: 20,
    tokensPerJob: 400,
    ...knobs,
  };
  const jobs = new Map<string, FakeJob>();
  const submissions: GenerateCodeInput[] = [];
  const sockets = new Set<ServerWebSocket<unknown>>();
  let counter = 0;

  const notFound = (jobId: string) =>
    new GraphQLError(`No job ${jobId}`, { extensions: { code: 'NOT_FOUND' } });
  const jobOf = (jobId: string) => {
    const job = jobs.get(jobId);
    if (!job) throw notFound(jobId);
    return job;
  };

  function update(jobId: string, patch: Partial<UpstreamJobStatus>) {
    const job = jobOf(jobId);
    if (TERMINAL_STATUSES.has(job.state.status)) return;
    job.state = { ...job.state, ...patch, updatedAt: new Date().toISOString() };
    for (const listener of job.listeners) listener(job.state);
  }

  const SCRIPT: Array<Partial<UpstreamJobStatus>> = [
    { status: 'running', progress: 10, step: 'Retrieving examples' },
    { status: 'running', progress: 50, step: 'Generating manifests' },
    { status: 'running', progress: 90, step: 'Validating' },
  ];
  function autoRun(jobId: string, index = 0) {
    const job = jobs.get(jobId)!;
    job.timer = setTimeout(() => {
      if (TERMINAL_STATUSES.has(job.state.status)) return;
      const next = SCRIPT[index];
      if (next) {
        update(jobId, next);
        autoRun(jobId, index + 1);
      } else {
        const total = settings.tokensPerJob;
        const prompt = Math.floor(total * 0.75);
        update(jobId, {
          status: 'succeeded',
          progress: 100,
          step: 'Done',
          tokenUsage: { prompt, completion: total - prompt, total },
        });
      }
    }, settings.stepMs);
  }

  function submit(kind: JobKind, input: GenerateCodeInput) {
    counter += 1;
    const jobId = `rag-${counter}-${Math.random().toString(36).slice(2, 8)}`;
    submissions.push(input);
    jobs.set(jobId, {
      input,
      listeners: new Set(),
      state: {
        jobId,
        kind,
        status: 'queued',
        progress: 0,
        step: 'Queued',
        error: null,
        tokenUsage: null,
        updatedAt: new Date().toISOString(),
      },
    });
    if (settings.autoRun) autoRun(jobId);
    return { jobId, status: 'queued' };
  }

  async function* watch(jobId: string) {
    const job = jobOf(jobId);
    const queue: UpstreamJobStatus[] = [];
    let wake: (() => void) | undefined;
    const listener: Listener = (s) => {
      queue.push(s);
      wake?.();
    };
    job.listeners.add(listener);
    try {
      // The contract: the current state first, so a re-subscriber misses nothing.
      yield { codegenJobStatus: job.state };
      if (TERMINAL_STATUSES.has(job.state.status)) return;
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const next = queue.shift()!;
        yield { codegenJobStatus: next };
        if (TERMINAL_STATUSES.has(next.status)) return;
      }
    } finally {
      job.listeners.delete(listener);
    }
  }

  const schema = createSchema({
    typeDefs: TYPE_DEFS,
    resolvers: {
      Query: {
        codegenJob: (_: unknown, { input }: { input: { jobId: string } }) =>
          jobOf(input.jobId).state,
        codegenResult: (_: unknown, { input }: { input: { jobId: string } }) => {
          const job = jobOf(input.jobId);
          if (job.state.status !== 'succeeded') {
            throw new GraphQLError('Result not ready', { extensions: { code: 'CONFLICT' } });
          }
          const nodes = (job.input.graph.nodes as Array<{ id: string }>).map((n) => n.id);
          return {
            jobId: input.jobId,
            files: nodes.map((id) => ({
              path: `rag/${id}.yaml`,
              content: `# generated by the fake KubeRAG for ${id}\nkind: ConfigMap\n`,
            })),
            plan:
              job.state.kind === 'plan'
                ? {
                    namespace: 'rag',
                    resources: nodes.map((id) => ({ kind: 'Deployment', name: id, file: null })),
                    steps: [
                      { order: 1, title: 'Deploy', description: 'All at once', resources: nodes },
                    ],
                  }
                : null,
          };
        },
      },
      Mutation: {
        generateCode: (_: unknown, { input }: { input: GenerateCodeInput }) =>
          submit('codegen', input),
        planGraph: (_: unknown, { input }: { input: GenerateCodeInput }) => submit('plan', input),
        cancelCodegenJob: (_: unknown, { input }: { input: { jobId: string } }) => {
          const job = jobOf(input.jobId);
          clearTimeout(job.timer);
          update(input.jobId, { status: 'cancelled', step: 'Cancelled' });
          return job.state;
        },
      },
      Subscription: {
        codegenJobStatus: {
          subscribe: (_: unknown, { input }: { input: { jobId: string } }) => watch(input.jobId),
        },
      },
    },
  });

  const yoga = createYoga({ schema, graphqlEndpoint: '/graphql', logging: false });
  const wsHandler = makeHandler({ schema });
  const port = await freePort();
  const state = { requests: 0, connections: 0 };
  let server: Server<unknown> | undefined;

  const start = () => {
    server = Bun.serve({
      port,
      hostname: '127.0.0.1',
      async fetch(req, srv) {
        if (req.headers.get('upgrade') === 'websocket') {
          if (!handleProtocols(req.headers.get('sec-websocket-protocol') ?? '')) {
            return new Response('Bad protocol', { status: 400 });
          }
          return srv.upgrade(req, { data: {} })
            ? undefined
            : new Response('Upgrade failed', { status: 500 });
        }
        state.requests += 1;
        if (settings.delayMs > 0) await Bun.sleep(settings.delayMs);
        if (settings.failing) return new Response('boom', { status: 500 });
        return yoga.fetch(req);
      },
      websocket: {
        ...wsHandler,
        open(ws) {
          sockets.add(ws);
          state.connections += 1;
          return wsHandler.open?.(ws);
        },
        close(ws, code, reason) {
          sockets.delete(ws);
          return wsHandler.close?.(ws, code, reason);
        },
      },
    });
  };
  start();

  const fake: FakeKubeRag = {
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    knobs: settings,
    jobs,
    submissions,
    get requests() {
      return state.requests;
    },
    get connections() {
      return state.connections;
    },
    update,
    dropSubscriptions() {
      for (const ws of sockets) ws.terminate();
    },
    openSockets: () => sockets.size,
    async down() {
      for (const ws of sockets) ws.terminate();
      await server?.stop(true);
      server = undefined;
    },
    async up() {
      if (!server) start();
    },
    async stop() {
      for (const job of jobs.values()) clearTimeout(job.timer);
      await fake.down();
    },
  };
  return fake;
}
