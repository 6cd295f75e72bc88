import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  cancelJob,
  downloadJobTarball,
  followJob,
  getJob,
  getJobResult,
  getResource,
  type JobRequest,
  type JobStatusFrame,
  listJobs,
  submitJob,
  TERMINAL_STATUSES,
} from '../../client';
import { EXIT } from '../../client/errors';
import { type Columns, printDescription, printList, printOne } from '../output';
import type { Resource } from '../resource';
import { type Context, OUTPUT_FLAG, required, usageError } from '../spec';
import { unpackResult } from '../unpack';

/** Code-generation and planning jobs. */

const COLUMNS: Columns = {
  table: ['jobId', 'kind', 'status', 'progress', 'step', 'createdAt'],
  wide: ['engine', 'projectId', 'companyId', 'tokensUsed', 'finishedAt', 'error'],
};
const RESULT_COLUMNS: Columns = { table: ['path', 'bytes'] };
const BUILTIN = { modelProvider: 'builtin', modelName: 'deterministic' };

function readDocument(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text); // JSON is YAML too
  } catch (err) {
    throw usageError(`${file} is neither YAML nor JSON: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw usageError(`${file} must hold a graph ({nodes, edges}) or a whole job request`);
  }
  return doc as Record<string, unknown>;
}

/**
 * The request of `jobs create`: from a file (a graph, or a whole request body as the API takes
 * it) or from a stored project (its graph), with flags for what the file leaves out.
 */
async function jobRequest(ctx: Context): Promise<JobRequest> {
  const { flags } = ctx;
  const file = flags.get('file');
  const projectId = flags.get('project');
  if (!file && !projectId) {
    throw usageError('`kubegram jobs create` needs -f <graph.yaml> or --project <id>');
  }
  const doc = file ? readDocument(file) : {};
  const whole = 'input' in doc;
  const input = (whole ? doc.input : {}) as Partial<JobRequest['input']>;
  let graph = whole ? input.graph : file ? doc : undefined;
  let companyId = flags.get('company') ?? (doc.companyId as string | undefined);
  let project = (doc.project as JobRequest['project'] | undefined) ?? undefined;
  if (projectId) {
    const stored = await getResource(ctx.client, 'projects', projectId);
    graph ??= stored.graph;
    companyId ??= stored.companyId as string;
    project = { id: projectId };
  } else if (flags.get('project-name')) {
    project = { name: flags.get('project-name'), teamId: flags.get('team') };
  }
  if (!companyId)
    throw usageError('Give the company with --company <uuid> (or companyId in the file)');
  if (!project)
    throw usageError('Give --project <id> or --project-name <name> (or project in the file)');
  return {
    input: {
      modelProvider: flags.get('model-provider') ?? input.modelProvider ?? BUILTIN.modelProvider,
      modelName: flags.get('model') ?? input.modelName ?? BUILTIN.modelName,
      graph,
    },
    context: (doc.context as string[] | undefined) ?? [],
    companyId,
    project,
  };
}

function statusLine(frame: Pick<JobStatusFrame, 'status' | 'progress' | 'step' | 'updatedAt'>) {
  const step = frame.step ? `  ${frame.step}` : '';
  return `${frame.updatedAt}  ${frame.status.padEnd(9)} ${String(frame.progress).padStart(3)}%${step}`;
}

/** Streams the status until the job ends: 0 when it succeeded, 1 when it failed or stopped. */
async function follow(ctx: Context, id: string) {
  const last = await followJob(ctx.client, id, (frame) => ctx.io.out(statusLine(frame)));
  if (last.status === 'succeeded') return EXIT.ok;
  ctx.io.err(`job ${id} ${last.status}${last.error ? `: ${last.error}` : ''}`);
  return EXIT.error;
}

async function result(ctx: Context) {
  const id = required(ctx, 0, 'job id');
  const out = ctx.flags.get('out');
  if (out) {
    const written = await unpackResult(await downloadJobTarball(ctx.client, id), out);
    for (const path of written) ctx.io.out(`${out.replace(/\/$/, '')}/${path}`);
    ctx.io.err(`Wrote ${written.length} files to ${out}`);
    return EXIT.ok;
  }
  const data = await getJobResult(ctx.client, id);
  const format = ctx.flags.get('output');
  if (format === 'json' || format === 'yaml') printOne(ctx, data as never, RESULT_COLUMNS);
  else if (data.plan !== undefined) printDescription(ctx, { jobId: data.jobId, plan: data.plan });
  else {
    const rows = data.files.map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.content) }));
    printList(ctx, rows, RESULT_COLUMNS);
  }
  return EXIT.ok;
}

export const jobsResource: Resource = {
  name: 'jobs',
  aliases: ['job'],
  summary: 'code-generation and planning jobs',
  get: {
    summary: "a job's status, or a project's jobs (newest first)",
    args: [{ name: 'job id', optional: true }],
    flags: [{ name: 'project', value: 'ID', description: 'list this project’s jobs' }, OUTPUT_FLAG],
    examples: ['kubegram get jobs --project 1', 'kubegram get job 5f0c…'],
    async run(ctx) {
      const id = ctx.args[0];
      if (id) {
        printOne(ctx, await getJob(ctx.client, id), COLUMNS);
        return EXIT.ok;
      }
      const project = ctx.flags.get('project');
      if (!project) throw usageError('Give a job id, or --project <id> to list its jobs');
      printList(ctx, await listJobs(ctx.client, project), COLUMNS);
      return EXIT.ok;
    },
  },
  describe: {
    summary: 'every field of a job',
    args: [{ name: 'job id' }],
    flags: [OUTPUT_FLAG],
    async run(ctx) {
      printDescription(ctx, await getJob(ctx.client, required(ctx, 0, 'job id')));
      return EXIT.ok;
    },
  },
  create: {
    aliases: ['submit'],
    summary: 'submit a job from a graph file or a stored project',
    flags: [
      {
        name: 'file',
        short: 'f',
        value: 'FILE',
        complete: 'file',
        description: 'a graph ({nodes, edges}) or a whole request, YAML or JSON (- for stdin)',
      },
      { name: 'project', value: 'ID', description: 'the stored project (and its graph)' },
      { name: 'project-name', value: 'NAME', description: 'reuse or create a project by name' },
      { name: 'team', value: 'ID', description: 'the team of --project-name' },
      { name: 'company', value: 'UUID', description: 'the company (default: the project’s)' },
      { name: 'plan', description: 'a planning job instead of code generation' },
      { name: 'model-provider', value: 'NAME', description: 'KubeRAG provider (default: builtin)' },
      { name: 'model', value: 'NAME', description: 'KubeRAG model (default: deterministic)' },
      { name: 'watch', short: 'w', description: 'then follow its status until it ends' },
      OUTPUT_FLAG,
    ],
    examples: [
      'kubegram create job --project 1 --watch',
      'kubegram jobs create -f shop.yaml --company <uuid> --project-name Shop',
    ],
    async run(ctx) {
      const plan = ctx.flags.has('plan');
      const job = await submitJob(ctx.client, await jobRequest(ctx), plan);
      const format = ctx.flags.get('output');
      if (format === 'json' || format === 'yaml') printOne(ctx, job, COLUMNS);
      else ctx.io.out(`job/${job.jobId} created (${job.status})`);
      return ctx.flags.has('watch') ? follow(ctx, job.jobId) : EXIT.ok;
    },
  },
  delete: {
    aliases: ['cancel'],
    summary: 'cancel a job (its unused token reservation is refunded)',
    args: [{ name: 'job id' }],
    async run(ctx) {
      const job = await cancelJob(ctx.client, required(ctx, 0, 'job id'));
      ctx.io.out(`job/${job.jobId} ${job.status}`);
      return EXIT.ok;
    },
  },
  more: [
    {
      name: 'logs',
      summary: "a job's status; with -f, every change live until it ends",
      args: [{ name: 'job id' }],
      flags: [{ name: 'follow', short: 'f', description: 'stream until the job ends' }],
      examples: ['kubegram jobs logs -f 5f0c…'],
      async run(ctx) {
        const id = required(ctx, 0, 'job id');
        if (ctx.flags.has('follow')) return follow(ctx, id);
        const job = await getJob(ctx.client, id);
        ctx.io.out(statusLine(job));
        if (job.status === 'failed' && job.error) ctx.io.err(`error: ${job.error}`);
        return TERMINAL_STATUSES.includes(job.status) && job.status !== 'succeeded'
          ? EXIT.error
          : EXIT.ok;
      },
    },
    {
      name: 'result',
      summary: "a finished job's files: listed, printed (-o), or unpacked (--out DIR)",
      args: [{ name: 'job id' }],
      flags: [
        {
          name: 'out',
          value: 'DIR',
          complete: 'dir',
          description: 'unpack the .tar.gz here (created if missing)',
        },
        OUTPUT_FLAG,
      ],
      examples: ['kubegram jobs result 5f0c… --out ./shop'],
      run: result,
    },
  ],
};
