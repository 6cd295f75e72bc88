import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { gunzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import { auditLogs, codegenJobs, projects, tokenLedger } from '../../src/db/schema';
import { generateAll } from '../../src/services/codegen/builtin/generate';
import { parseGraph } from '../../src/services/codegen/graph';
import { call } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { seedTenant, type Tenant } from '../tenancy/fixtures';
import { codegenBody, GRAPH, tokensOf, waitForStatus } from './helpers';

const BASE = '/api/public/v1/graph';
let t: TestApp;
let a: Tenant;
let b: Tenant;
beforeAll(async () => {
  // No KUBERAG_URL: every job runs on the built-in generator.
  t = await createTestApp({
    env: { GRAPH_MAX_NODES: '5', CODEGEN_LEASE_MS: '600', CODEGEN_SWEEP_MS: '100' },
  });
  a = await seedTenant(t, 'Alpha');
  b = await seedTenant(t, 'Beta');
}, 60_000);
afterAll(() => t.close());

/** Reads a ustar archive: path → content. */
function untar(gz: Uint8Array): Map<string, string> {
  const tar = gunzipSync(gz);
  const files = new Map<string, string>();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const name = field(0, 100);
    const prefix = field(345, 155);
    const size = Number.parseInt(field(124, 12), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    expect(Number.parseInt(field(148, 8), 8)).toBe(sum);
    const body = tar.subarray(offset + 512, offset + 512 + size).toString('utf8');
    files.set(prefix ? `${prefix}/${name}` : name, body);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

describe('code generation with the built-in generator', () => {
  test('submit → 202 queued, persisted before the answer, then succeeds; result and tarball', async () => {
    const before = await tokensOf(t, a.company.id);
    const res = await call(t, 'POST', `${BASE}/codegen`, {
      bearer: a.teamMember.token,
      body: codegenBody(a.company.id, { id: a.project.id }),
    });
    expect(res.status).toBe(202);
    expect(res.body.data).toEqual({ jobId: expect.any(String), status: 'queued' });
    const { jobId } = res.body.data;
    // Persisted before answering: the row exists even if nothing else happened yet.
    const [row] = await t.database.db.select().from(codegenJobs).where(eq(codegenJobs.id, jobId));
    expect(row).toMatchObject({ engine: 'builtin', companyId: a.company.id, kind: 'codegen' });

    const done = await waitForStatus(t, a.teamMember.token, jobId, 'succeeded');
    expect(done).toMatchObject({ progress: 100, engine: 'builtin', tokensReserved: 0 });
    // Built-in jobs are free.
    expect(await tokensOf(t, a.company.id)).toBe(before);

    const result = await call(t, 'GET', `${BASE}/codegen/${jobId}/result`, {
      bearer: a.member.token,
    });
    expect(result.status).toBe(200);
    const expected = generateAll(parseGraph(GRAPH).data!, { project: a.project.name });
    expect(result.body.data.files).toEqual(expected);

    const tar = await t.request(`${BASE}/codegen/${jobId}/result?format=tar`, {
      headers: { authorization: `Bearer ${a.member.token}` },
    });
    expect(tar.status).toBe(200);
    expect(tar.headers.get('content-type')).toBe('application/gzip');
    expect(tar.headers.get('content-disposition')).toContain('.tar.gz');
    const entries = untar(new Uint8Array(await tar.arrayBuffer()));
    const root = `kubegram-codegen-${jobId.slice(0, 8)}`;
    expect([...entries.keys()]).toEqual(expected.map((f) => `${root}/${f.path}`));
    for (const f of expected) expect(entries.get(`${root}/${f.path}`)).toBe(f.content);

    // The project carries the submitted graph; the submission is audited.
    const [project] = await t.database.db
      .select()
      .from(projects)
      .where(eq(projects.id, Number(a.project.id)));
    expect(project!.graph.nodes.map((n: any) => n.id)).toEqual(['web', 'api', 'db']);
    const audits = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.resourceId, jobId));
    expect(audits.map((r) => r.action)).toEqual(['codegen.codegen_submitted']);
  });

  test('a plan job returns a structured plan', async () => {
    const res = await call(t, 'POST', `${BASE}/plan`, {
      bearer: a.teamMember.token,
      body: codegenBody(a.company.id, { id: a.project.id }),
    });
    expect(res.status).toBe(202);
    await waitForStatus(t, a.teamMember.token, res.body.data.jobId, 'succeeded');
    const result = await call(t, 'GET', `${BASE}/codegen/${res.body.data.jobId}/result`, {
      bearer: a.teamMember.token,
    });
    expect(result.body.data.kind).toBe('plan');
    expect(result.body.data.plan.steps[0].title).toBe('Prepare the namespace and secrets');
    expect(result.body.data.plan.requiredSecrets).toEqual([
      { name: 'db-credentials', keys: ['password', 'username'] },
    ]);
  });

  test('a project name alone creates the project in the caller’s team', async () => {
    const res = await call(t, 'POST', `${BASE}/codegen`, {
      bearer: a.teamMember.token,
      body: codegenBody(a.company.id, { name: 'Fresh Service' }),
    });
    expect(res.status).toBe(202);
    const job = await waitForStatus(t, a.teamMember.token, res.body.data.jobId, 'succeeded');
    const [project] = await t.database.db
      .select()
      .from(projects)
      .where(eq(projects.id, Number(job.projectId)));
    expect(project).toMatchObject({ name: 'Fresh Service', teamId: Number(a.team.id) });
    // The same name again reuses the project instead of creating a second one.
    const again = await call(t, 'POST', `${BASE}/codegen`, {
      bearer: a.teamMember.token,
      body: codegenBody(a.company.id, { name: 'Fresh Service' }),
    });
    const second = await waitForStatus(t, a.teamMember.token, again.body.data.jobId, 'succeeded');
    expect(second.projectId).toBe(job.projectId);
  });

  test('list by project, newest first, paginated', async () => {
    const res = await call(t, 'GET', `${BASE}/codegen?projectId=${a.project.id}&limit=1`, {
      bearer: a.teamMember.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.pagination).toMatchObject({ page: 1, limit: 1, total: 2 });
    expect(res.body.data[0].kind).toBe('plan');
    const other = await call(t, 'GET', `${BASE}/codegen?projectId=${a.project.id}`, {
      bearer: b.teamMember.token,
    });
    expect(other.status).toBe(404);
  });

  test('another company’s job is a 404 everywhere, and nothing changes', async () => {
    const res = await call(t, 'POST', `${BASE}/codegen`, {
      bearer: a.teamMember.token,
      body: codegenBody(a.company.id, { id: a.project.id }),
    });
    const { jobId } = res.body.data;
    await waitForStatus(t, a.teamMember.token, jobId, 'succeeded');
    for (const [method, path] of [
      ['GET', `${BASE}/codegen/${jobId}`],
      ['GET', `${BASE}/codegen/${jobId}/result`],
      ['DELETE', `${BASE}/codegen/${jobId}`],
      ['POST', `${BASE}/codegen/${jobId}/ticket`],
    ] as const) {
      const r = await call(t, method, path, { bearer: b.owner.token });
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('NOT_FOUND');
    }
    const unknown = await call(t, 'GET', `${BASE}/codegen/00000000-0000-4000-8000-000000000000`, {
      bearer: a.owner.token,
    });
    expect(unknown.status).toBe(404);
    const malformed = await call(t, 'GET', `${BASE}/codegen/not-a-uuid`, { bearer: a.owner.token });
    expect(malformed.status).toBe(400);
  });

  test('submitting into a company you do not belong to: 404, nothing written', async () => {
    const before = await t.database.db.select().from(codegenJobs);
    const res = await call(t, 'POST', `${BASE}/codegen`, {
      bearer: b.teamMember.token,
      body: codegenBody(a.company.id, { id: a.project.id }),
    });
    expect(res.status).toBe(404);
    // A project of another company named under your own company: 404 too.
    const cross = await call(t, 'POST', `${BASE}/codegen`, {
      bearer: a.owner.token,
      body: codegenBody(a.company.id, { id: b.project.id }),
    });
    expect(cross.status).toBe(404);
    expect((await t.database.db.select().from(codegenJobs)).length).toBe(before.length);
  });

  test('invalid graphs and bodies are 400 with paths; too many nodes too', async () => {
    const before = await t.database.db.select().from(codegenJobs);
    const cases: Array<[unknown, string]> = [
      [{ ...GRAPH, edges: [{ source: 'api', target: 'ghost' }] }, 'input.graph.edges.0.target'],
      [{ nodes: [{ id: 'x', type: 'spaceship' }], edges: [] }, 'input.graph.nodes.0.type'],
      [
        {
          nodes: [
            { id: 'x', type: 'service' },
            { id: 'x', type: 'cache' },
          ],
          edges: [],
        },
        'input.graph.nodes.1.id',
      ],
      [
        {
          nodes: Array.from({ length: 6 }, (_, i) => ({ id: `n${i}`, type: 'service' })),
          edges: [],
        },
        'input.graph.nodes',
      ],
    ];
    for (const [graph, path] of cases) {
      const res = await call(t, 'POST', `${BASE}/codegen`, {
        bearer: a.teamMember.token,
        body: codegenBody(
          a.company.id,
          { id: a.project.id },
          {
            input: { modelProvider: 'builtin', modelName: 'x', graph },
          },
        ),
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.map((d: any) => d.path)).toContain(path);
    }
    const oracle = await call(t, 'POST', `${BASE}/codegen`, {
      bearer: a.teamMember.token,
      body: codegenBody(
        a.company.id,
        { id: a.project.id },
        {
          input: {
            modelProvider: 'builtin',
            modelName: 'x',
            graph: {
              nodes: [{ id: 'db', type: 'database', config: { engine: 'oracle' } }],
              edges: [],
            },
          },
        },
      ),
    });
    expect(oracle.status).toBe(400);
    expect(oracle.body.details[0].message).toContain('unknown database engine "oracle"');
    const noProject = await call(t, 'POST', `${BASE}/codegen`, {
      bearer: a.teamMember.token,
      body: codegenBody(a.company.id, {}),
    });
    expect(noProject.status).toBe(400);
    const noAuth = await call(t, 'POST', `${BASE}/codegen`, {
      body: codegenBody(a.company.id, { id: a.project.id }),
    });
    expect(noAuth.status).toBe(401);
    expect((await t.database.db.select().from(codegenJobs)).length).toBe(before.length);
  });

  test('cancelling a finished job is a 409; the ledger is untouched by built-in jobs', async () => {
    const res = await call(t, 'POST', `${BASE}/codegen`, {
      bearer: a.teamMember.token,
      body: codegenBody(a.company.id, { id: a.project.id }),
    });
    await waitForStatus(t, a.teamMember.token, res.body.data.jobId, 'succeeded');
    const cancel = await call(t, 'DELETE', `${BASE}/codegen/${res.body.data.jobId}`, {
      bearer: a.teamMember.token,
    });
    expect(cancel.status).toBe(409);
    const ledger = await t.database.db
      .select()
      .from(tokenLedger)
      .where(eq(tokenLedger.companyId, a.company.id));
    expect(ledger).toEqual([]);
  });

  test('a job whose run died is picked up again once its lease lapses', async () => {
    // A job this instance owns but is not working on (its run crashed): not renewed, so it
    // expires and the sweeper runs it again. Also what happens to another instance's jobs.
    const runner = t.instance.services.codegen.runner;
    for (const owner of [runner.instanceId, 'an-instance-that-died']) {
      const [job] = await t.database.db
        .insert(codegenJobs)
        .values({
          companyId: a.company.id,
          projectId: Number(a.project.id),
          userId: Number(a.teamMember.id),
          kind: 'codegen',
          engine: 'builtin',
          modelProvider: 'builtin',
          modelName: 'x',
          status: 'running',
          progress: 40,
          input: { graph: GRAPH, context: [], projectName: a.project.name },
          leaseOwner: owner,
          leaseExpiresAt: new Date(Date.now() + 300),
        })
        .returning();
      const done = await waitForStatus(t, a.teamMember.token, job!.id, 'succeeded', 5000);
      expect(done.progress).toBe(100);
    }
  });

  test('readiness reports kuberag disabled without failing', async () => {
    const res = await call(t, 'GET', '/api/public/v1/healthz/ready');
    expect(res.status).toBe(200);
    expect(res.body.kuberag).toBe('disabled');
  });
});
