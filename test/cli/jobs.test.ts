import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { stringify } from 'yaml';
import { codegenJobs } from '../../src/db/schema';
import { GRAPH, setTokens } from '../codegen/helpers';
import { type FakeKubeRag, startFakeKubeRag } from '../codegen/kuberag-server';
import { call } from '../helpers/http';
import { waitFor } from '../helpers/wait';
import { seedTenant, type Tenant } from '../tenancy/fixtures';
import { type LiveApp, startLiveApp } from '../tokens/helpers';
import { type CliHome, cliHome, readToEnd, readUntil } from './helpers';

/** `kubegram jobs`: submit, watch live over the WebSocket, fetch and unpack the result. */

let rag: FakeKubeRag;
let live: LiveApp;
let tenant: Tenant;
let cli: CliHome;
let projectId: string;

beforeAll(async () => {
  rag = await startFakeKubeRag({ autoRun: false });
  live = await startLiveApp({
    env: {
      KUBERAG_URL: rag.url,
      KUBERAG_RETRY_DELAY_MS: '50',
      CODEGEN_POLL_MS: '100',
      RATE_LIMIT_MAX_REQUESTS: '100000',
    },
  });
  tenant = await seedTenant(live.t, 'CliJobs');
  await setTokens(live.t, tenant.company.id, 100_000);
  const project = await call(live.t, 'POST', '/api/public/v1/projects', {
    cookie: tenant.teamMember.token,
    body: { teamId: tenant.team.id, name: 'Shop', graph: GRAPH },
  });
  expect(project.status).toBe(201);
  projectId = project.body.data.id;
  cli = cliHome();
  const login = await cli.run(
    ['login', '--password', '--email', tenant.teamMember.email, '--api-url', live.base],
    { stdin: `${tenant.teamMember.password}\n` },
  );
  expect(login.code).toBe(0);
}, 90_000);
afterAll(async () => {
  cli.remove();
  await live.close();
  await rag.stop();
});

async function createJob(args: string[]) {
  const res = await cli.run(['jobs', 'create', ...args, '-o', 'json']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout).jobId as string;
}

const upstreamOf = (jobId: string) =>
  waitFor(
    async () =>
      (await live.t.database.db.select().from(codegenJobs).where(eq(codegenJobs.id, jobId)))[0]
        ?.upstreamJobId,
    { timeoutMs: 10_000, what: 'the upstream job' },
  );

describe('built-in jobs', () => {
  let jobId: string;

  test('create from a stored project, follow it to the end, list and describe it', async () => {
    jobId = await createJob(['--project', projectId]);
    const logs = await cli.run(['jobs', 'logs', '-f', jobId]);
    expect(logs.code).toBe(0);
    expect(logs.stdout.trim().split('\n').at(-1)).toMatch(/succeeded\s+100%/);

    const table = await cli.run(['get', 'jobs', '--project', projectId]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^JOB ID\s+KIND\s+STATUS\s+PROGRESS/);
    expect(table.stdout).toContain(jobId);
    const wide = await cli.run(['jobs', 'list', '--project', projectId, '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toContain('ENGINE');
    expect(wide.stdout).toContain('builtin');
    const yaml = await cli.run(['get', 'job', jobId, '-o', 'yaml']);
    expect(yaml.stdout).toContain(`jobId: ${jobId}`);
    const described = await cli.run(['describe', 'job', jobId]);
    expect(described.stdout).toMatch(/Status:\s+succeeded/);
    expect(described.stdout).toMatch(/Project id:\s+/);
  });

  test('result --out DIR unpacks the tar.gz: the same files as the API answers', async () => {
    const out = join(cli.home, 'shop');
    const res = await cli.run(['jobs', 'result', jobId, '--out', out]);
    expect(res.code).toBe(0);
    const api = await call(live.t, 'GET', `/api/public/v1/graph/codegen/${jobId}/result`, {
      bearer: tenant.teamMember.token,
    });
    const files = api.body.data.files as Array<{ path: string; content: string }>;
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      expect(readFileSync(join(out, file.path), 'utf8')).toBe(file.content);
    }
    expect(existsSync(join(out, 'kustomization.yaml'))).toBe(true);
    expect(res.stderr).toContain(`Wrote ${files.length} files`);
    const listed = await cli.run(['jobs', 'result', jobId]);
    expect(listed.stdout.split('\n')[0]).toMatch(/^PATH\s+BYTES/);
    expect(listed.stdout).toContain('kustomization.yaml');
    const json = await cli.run(['jobs', 'result', jobId, '-o', 'json']);
    expect(JSON.parse(json.stdout).files).toEqual(files);
  });

  test('create from a graph file (YAML) or a whole request (JSON), then --watch', async () => {
    const graphFile = join(cli.home, 'graph.yaml');
    writeFileSync(graphFile, stringify(GRAPH));
    const fromGraph = await cli.run([
      'create',
      'job',
      '-f',
      graphFile,
      '--company',
      tenant.company.id,
      '--project-name',
      'From File',
      '--team',
      tenant.team.id,
      '--watch',
    ]);
    expect(fromGraph.stderr).toBe('');
    expect(fromGraph.code).toBe(0);
    expect(fromGraph.stdout).toMatch(/^job\/[0-9a-f-]{36} created \(queued\)/);
    expect(fromGraph.stdout).toContain('succeeded');

    const requestFile = join(cli.home, 'request.json');
    writeFileSync(
      requestFile,
      JSON.stringify({
        input: { modelProvider: 'builtin', modelName: 'deterministic', graph: GRAPH },
        companyId: tenant.company.id,
        project: { id: projectId },
      }),
    );
    const id = await createJob(['-f', requestFile, '--plan']);
    const job = await call(live.t, 'GET', `/api/public/v1/graph/codegen/${id}`, {
      bearer: tenant.teamMember.token,
    });
    expect(job.body.data.kind).toBe('plan');
  });

  test('bad input is a usage error or the API’s 400, never a crash', async () => {
    expect((await cli.run(['jobs', 'create'])).code).toBe(2);
    const missing = await cli.run(['jobs', 'create', '-f', join(cli.home, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    const bad = join(cli.home, 'bad.yaml');
    writeFileSync(bad, stringify({ nodes: [{ id: 'a', type: 'spaceship' }], edges: [] }));
    const invalid = await cli.run([
      'jobs',
      'create',
      '-f',
      bad,
      '--company',
      tenant.company.id,
      '--project',
      projectId,
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('error:');
    const unknown = await cli.run(['get', 'job', crypto.randomUUID()]);
    expect(unknown.code).toBe(5);
    expect((await cli.run(['jobs', 'logs', '-f', crypto.randomUUID()])).code).toBe(5);
  });
});

describe('jobs logs -f on a KubeRAG job', () => {
  const kuberagJob = () =>
    createJob(['--project', projectId, '--model-provider', 'claude', '--model', 'sonnet']);

  test('prints each status change as it happens and exits 0 when it succeeds', async () => {
    const jobId = await kuberagJob();
    const upstream = await upstreamOf(jobId);
    const follow = cli.spawn(['jobs', 'logs', '-f', jobId]);
    const seen = await readUntil(follow.stdout, /queued/);
    rag.update(upstream, { status: 'running', progress: 40, step: 'Generating manifests' });
    await readUntil(follow.stdout, /Generating manifests/, seen);
    expect(seen.text).not.toContain('succeeded');
    rag.update(upstream, {
      status: 'succeeded',
      progress: 100,
      step: 'Done',
      tokenUsage: { prompt: 10, completion: 5, total: 15 },
    });
    const all = await readToEnd(follow.stdout, seen);
    expect(await follow.exited).toBe(0);
    const lines = all.trim().split('\n');
    expect(lines[0]).toMatch(/queued/);
    expect(lines.findIndex((l) => l.includes('40%'))).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatch(/succeeded\s+100%\s+Done/);
  });

  test('a failed job ends the stream with exit 1 and the error; a cancelled one too', async () => {
    const failing = await kuberagJob();
    rag.update(await upstreamOf(failing), { status: 'failed', error: 'the model gave up' });
    const failed = await cli.run(['jobs', 'logs', '-f', failing]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('failed: the model gave up');

    const cancelled = await kuberagJob();
    await upstreamOf(cancelled);
    const res = await cli.run(['jobs', 'cancel', cancelled]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`job/${cancelled} cancelled`);
    expect((await cli.run(['jobs', 'logs', '-f', cancelled])).code).toBe(1);
  });
});
