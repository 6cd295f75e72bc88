import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { count, eq } from 'drizzle-orm';
import { parseAllDocuments } from 'yaml';
import { auditLogs, companies, organizations, projects, teams } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

// Seeding tenants through the API takes a while on a loaded 2-core machine.
setDefaultTimeout(60_000);

let t: TestApp;
let owner: SeededUser;
let stranger: SeededUser;
const V1 = '/api/public/v1';

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_MAX_REQUESTS: '100000' } });
  await createUser(t); // platform admin
  owner = await createUser(t);
  stranger = await createUser(t);
}, 60_000);
afterAll(() => t.close());

function applyYaml(
  user: SeededUser | undefined,
  yaml: string,
  query = '',
  type = 'application/yaml',
) {
  return call(t, 'POST', `${V1}/iac/apply${query}`, {
    bearer: user?.token,
    body: yaml,
    headers: { 'content-type': type },
  });
}

async function counts() {
  const db = t.database.db;
  const n = async (
    table:
      | typeof companies
      | typeof organizations
      | typeof teams
      | typeof projects
      | typeof auditLogs,
  ) => (await db.select({ n: count() }).from(table))[0]!.n;
  return {
    companies: await n(companies),
    organizations: await n(organizations),
    teams: await n(teams),
    projects: await n(projects),
    audit: await n(auditLogs),
  };
}

const STACK = `
apiVersion: kubegram.io/v1
kind: Company
metadata: { name: Umbrella }
spec: { stripeCustomerID: cus_umb }
---
apiVersion: kubegram.io/v1
kind: Organization
metadata: { name: engineering }
spec: { company: Umbrella, displayName: Engineering }
---
apiVersion: v1
kind: Team
metadata: { name: platform }
spec: { company: Umbrella, organization: engineering, displayName: Platform }
---
apiVersion: kubegram.io/v1
kind: Project
metadata: { name: shop }
spec:
  company: Umbrella
  organization: engineering
  team: platform
  displayName: Shop
  visibility: private
  graph:
    nodes:
      - { id: web, type: deployment, position: { y: 2, x: 1 } }
      - { id: db, type: postgres }
    edges:
      - { target: db, source: web }
`;

describe('apply', () => {
  test('creates a whole stack by name, in order, in one request', async () => {
    const res = await applyYaml(owner, STACK);
    expect(res.status).toBe(200);
    expect(res.body.data.dryRun).toBe(false);
    expect(
      res.body.data.results.map((r: { kind: string; action: string }) => `${r.kind}:${r.action}`),
    ).toEqual(['Company:created', 'Organization:created', 'Team:created', 'Project:created']);
    const company = await call(t, 'GET', `${V1}/companies/${res.body.data.results[0].id}`, {
      bearer: owner.token,
    });
    expect(company.body.data).toMatchObject({
      name: 'Umbrella',
      role: 'owner',
      stripeCustomerId: 'cus_umb',
    });
  });

  test('applying the same file again changes nothing and writes no audit rows', async () => {
    const before = await counts();
    const res = await applyYaml(owner, STACK);
    expect(res.status).toBe(200);
    expect(res.body.data.results.map((r: { action: string }) => r.action)).toEqual(
      Array(4).fill('unchanged'),
    );
    expect(await counts()).toEqual(before);
  });

  test('a changed field is "configured" and audited with before/after', async () => {
    const res = await applyYaml(
      owner,
      STACK.replace('displayName: Platform', 'displayName: Platform Team'),
    );
    expect(res.body.data.results.map((r: { action: string }) => r.action)).toEqual([
      'unchanged',
      'unchanged',
      'configured',
      'unchanged',
    ]);
    const [row] = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, 'team.updated'));
    expect(row!.details).toEqual({ name: { before: 'Platform', after: 'Platform Team' } });
  });

  test('JSON works too: one manifest, an array, or a List; apiVersion v1; parents by id', async () => {
    const companyId = (await applyYaml(owner, STACK)).body.data.results[0].id;
    const res = await call(t, 'POST', `${V1}/iac/apply`, {
      bearer: owner.token,
      body: {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Organization',
            metadata: { name: 'ops' },
            spec: { companyID: companyId },
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.results[0]).toMatchObject({
      kind: 'Organization',
      name: 'ops',
      action: 'created',
    });
    const single = await call(t, 'POST', `${V1}/iac/apply`, {
      bearer: owner.token,
      body: {
        apiVersion: 'v1',
        kind: 'Organization',
        metadata: { name: 'ops' },
        spec: { companyID: companyId },
      },
    });
    expect(single.body.data.results[0].action).toBe('unchanged');
  });

  test('dry run reports what would happen and writes nothing', async () => {
    const before = await counts();
    const yaml = STACK.replaceAll('Umbrella', 'Dry Corp');
    const res = await applyYaml(owner, yaml, '?dryRun=true');
    expect(res.status).toBe(200);
    expect(res.body.data.dryRun).toBe(true);
    expect(res.body.data.results.map((r: { action: string }) => r.action)).toEqual(
      Array(4).fill('created'),
    );
    expect(await counts()).toEqual(before);
  });

  test('one bad document applies nothing, and the error names its index and field', async () => {
    const before = await counts();
    const bad = `${STACK.replaceAll('Umbrella', 'Half Corp')}---
apiVersion: kubegram.io/v1
kind: Project
metadata: { name: orphan }
spec: { company: Half Corp, organization: engineering, team: no-such-team }
`;
    const res = await applyYaml(owner, bad);
    expect(res.status).toBe(404);
    expect(res.body.details).toEqual([
      { path: 'documents[4].spec.team', message: 'Team not found' },
    ]);
    expect(res.body.error).toContain('documents[4] (Project orphan)');
    expect(await counts()).toEqual(before);
  });

  test('validation errors carry document index and field path', async () => {
    const cases: [string, string][] = [
      ['apiVersion: v2\nkind: Team\nmetadata: {name: x}\nspec: {}', 'documents[0].apiVersion'],
      ['apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {}', 'documents[0].kind'],
      [
        'apiVersion: v1\nkind: Team\nmetadata: {name: Not A Slug}\nspec: {organizationID: 1}',
        'documents[0].metadata.name',
      ],
      [
        'apiVersion: v1\nkind: Team\nmetadata: {name: x}\nspec: {organizationID: 1, companyId: x}',
        'documents[0].spec',
      ],
      [
        `${STACK}---\napiVersion: v1\nkind: Project\nmetadata: {name: p}\nspec: {teamID: 1, graph: {nodes: [{id: a}], edges: [{source: a, target: b}]}}`,
        'documents[4].spec.graph.edges.0.target',
      ],
    ];
    for (const [yaml, path] of cases) {
      const res = await applyYaml(owner, yaml);
      expect(res.status, yaml).toBe(400);
      expect(
        res.body.details.map((d: { path: string }) => d.path),
        yaml,
      ).toContain(path);
    }
  });

  test('the same permission rules as REST: foreign parents 404, members 403', async () => {
    const companyId = (await applyYaml(owner, STACK)).body.data.results[0].id;
    const org = `apiVersion: v1\nkind: Organization\nmetadata: {name: intruders}\nspec: {companyID: ${companyId}}`;
    const foreign = await applyYaml(stranger, org);
    expect(foreign.status).toBe(404);
    expect(foreign.body.details[0].path).toBe('documents[0].spec.companyID');
    await call(t, 'POST', `${V1}/companies/${companyId}/members`, {
      bearer: owner.token,
      body: { userId: stranger.id, role: 'member' },
    });
    const member = await applyYaml(stranger, org);
    expect(member.status).toBe(403);
    const tokens = await applyYaml(
      owner,
      `apiVersion: v1\nkind: Company\nmetadata: {name: Umbrella}\nspec: {tokens: 999}`,
    );
    expect(tokens.status).toBe(403);
    expect(tokens.body.error).toContain('tokens');
    expect((await applyYaml(undefined, org)).status).toBe(401);
  });
});

describe('hostile and malformed input', () => {
  test('a billion-laughs document is refused quickly', async () => {
    const lol = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...Array.from({ length: 8 }, (_, i) => {
        const prev = i === 0 ? 'a' : String.fromCharCode(98 + i - 1);
        const name = String.fromCharCode(98 + i);
        return `${name}: &${name} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`;
      }),
      'apiVersion: v1',
      'kind: Company',
      'metadata: {name: *i}',
    ].join('\n');
    const started = performance.now();
    const res = await applyYaml(owner, lol);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(400);
    expect(res.body.details[0].path).toBe('documents[0]');
    expect(elapsed).toBeLessThan(1000);
  });

  test('__proto__ keys pollute nothing and are refused as unknown fields', async () => {
    const res = await applyYaml(
      owner,
      'apiVersion: v1\nkind: Company\nmetadata: {name: Proto}\n__proto__: {polluted: true}\nspec: {__proto__: {polluted: true}}',
    );
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const graph = await applyYaml(
      owner,
      `${STACK}---\napiVersion: v1\nkind: Project\nmetadata: {name: proto}\nspec: {teamID: 1, graph: {__proto__: {polluted: true}, nodes: [], edges: []}}`,
    );
    expect([200, 404]).toContain(graph.status);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('malformed YAML, duplicate keys, deep nesting, too many documents, wrong content type', async () => {
    const broken = await applyYaml(owner, 'apiVersion: v1\nkind: [Team\n');
    expect(broken.status).toBe(400);
    expect(broken.body.details[0].path).toBe('documents[0]');
    const dup = await applyYaml(owner, 'apiVersion: v1\nkind: Team\nkind: Project\n');
    expect(dup.status).toBe(400);
    const deep = await applyYaml(
      owner,
      `apiVersion: v1\nkind: Project\nmetadata: {name: p}\nspec: {teamID: 1, graph: ${'['.repeat(200)}${']'.repeat(200)}}`,
    );
    expect(deep.status).toBe(400);
    const many = await applyYaml(owner, Array(2001).fill('apiVersion: v1').join('\n---\n'));
    expect(many.status).toBe(400);
    expect(many.body.details[0].message).toContain('2000');
    expect((await applyYaml(owner, STACK, '', 'text/plain')).status).toBe(415);
    expect((await applyYaml(owner, STACK, '', 'application/x-yaml')).status).toBe(200);
    const empty = await applyYaml(owner, '---\n');
    expect(empty.status).toBe(400);
    // YAML is only accepted where manifests are read.
    const elsewhere = await call(t, 'POST', `${V1}/companies`, {
      bearer: owner.token,
      body: 'name: x',
      headers: { 'content-type': 'application/yaml' },
    });
    expect(elsewhere.status).toBe(415);
  });
});

describe('get, delete and export', () => {
  let companyId: string;
  beforeAll(async () => {
    companyId = (await applyYaml(owner, STACK)).body.data.results[0].id;
  });

  test('GET returns the manifest with a status block, as JSON or YAML', async () => {
    const res = await call(
      t,
      'GET',
      `${V1}/iac/Team/platform?companyID=${companyId}&organization=engineering`,
      { bearer: owner.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      apiVersion: 'kubegram.io/v1',
      kind: 'Team',
      metadata: { name: 'platform' },
      spec: { companyID: companyId, organization: 'engineering' },
      status: {
        id: expect.any(String),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    const yaml = await t.request(`${V1}/iac/organizations/engineering?companyID=${companyId}`, {
      headers: { authorization: `Bearer ${owner.token}`, accept: 'application/yaml' },
    });
    expect(yaml.headers.get('content-type')).toContain('application/yaml');
    expect(await yaml.text()).toContain('kind: Organization');
    expect(
      (
        await call(
          t,
          'GET',
          `${V1}/iac/Team/platform?companyID=${companyId}&organization=engineering`,
          { bearer: stranger.token },
        )
      ).status,
    ).toBe(404);
    expect((await call(t, 'GET', `${V1}/iac/Pod/x`, { bearer: owner.token })).status).toBe(400);
  });

  test('export re-applies as all unchanged (graph key order included)', async () => {
    const res = await t.request(`${V1}/iac/export?companyID=${companyId}`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/yaml');
    const yaml = await res.text();
    const docs = parseAllDocuments(yaml);
    expect(Array.isArray(docs) && docs.length).toBeGreaterThanOrEqual(4);
    const again = await applyYaml(owner, yaml);
    expect(again.status).toBe(200);
    expect(new Set(again.body.data.results.map((r: { action: string }) => r.action))).toEqual(
      new Set(['unchanged']),
    );
    // The stranger joined this company above; someone who never did sees nothing.
    const outsider = await createUser(t);
    const denied = await call(t, 'GET', `${V1}/iac/export?companyID=${companyId}`, {
      bearer: outsider.token,
    });
    expect(denied.status).toBe(404);
  });

  test('a team member exports only what they can read, and can re-apply it unchanged', async () => {
    const teamMember = await createUser(t);
    const team = await call(
      t,
      'GET',
      `${V1}/iac/Team/platform?companyID=${companyId}&organization=engineering`,
      {
        bearer: owner.token,
      },
    );
    await call(t, 'POST', `${V1}/teams/${team.body.data.status.id}/members`, {
      bearer: owner.token,
      body: { userId: teamMember.id, role: 'member' },
    });
    // A second organization the team member is not part of.
    await applyYaml(
      owner,
      `apiVersion: v1\nkind: Organization\nmetadata: {name: secret-lab}\nspec: {companyID: ${companyId}}`,
    );
    const res = await t.request(`${V1}/iac/export?companyID=${companyId}`, {
      headers: { authorization: `Bearer ${teamMember.token}` },
    });
    const yaml = await res.text();
    expect(res.status).toBe(200);
    expect(yaml).not.toContain('secret-lab');
    expect(yaml).not.toContain('stripeCustomerID');
    expect(yaml).toContain('name: platform');
    const again = await applyYaml(teamMember, yaml);
    expect(again.status).toBe(200);
    expect(new Set(again.body.data.results.map((r: { action: string }) => r.action))).toEqual(
      new Set(['unchanged']),
    );
  });

  test('DELETE removes the object and its children', async () => {
    const del = await call(
      t,
      'DELETE',
      `${V1}/iac/Team/platform?companyID=${companyId}&organization=engineering`,
      { bearer: owner.token },
    );
    expect(del.status).toBe(200);
    expect(del.body.data).toMatchObject({ kind: 'Team', name: 'platform' });
    const gone = await call(
      t,
      'GET',
      `${V1}/iac/Project/shop?companyID=${companyId}&organization=engineering&team=platform`,
      { bearer: owner.token },
    );
    expect(gone.status).toBe(404);
    const again = await applyYaml(owner, STACK);
    expect(again.body.data.results.map((r: { action: string }) => r.action)).toEqual([
      'unchanged',
      'unchanged',
      'created',
      'created',
    ]);
  });
});

describe('scale', () => {
  test('1,000 objects in one apply', async () => {
    const docs = [
      'apiVersion: v1\nkind: Company\nmetadata: {name: Big Corp}',
      'apiVersion: v1\nkind: Organization\nmetadata: {name: big}\nspec: {company: Big Corp}',
      ...Array.from(
        { length: 10 },
        (_, i) =>
          `apiVersion: v1\nkind: Team\nmetadata: {name: team-${i}}\nspec: {company: Big Corp, organization: big}`,
      ),
      ...Array.from(
        { length: 988 },
        (_, i) =>
          `apiVersion: v1\nkind: Project\nmetadata: {name: project-${i}}\nspec: {company: Big Corp, organization: big, team: team-${i % 10}, graph: {nodes: [{id: a}, {id: b}], edges: [{source: a, target: b}]}}`,
      ),
    ];
    const yaml = docs.join('\n---\n');
    const started = performance.now();
    const res = await applyYaml(owner, yaml);
    const created = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.data.results.length).toBe(1000);
    const again = performance.now();
    const second = await applyYaml(owner, yaml);
    const unchanged = performance.now() - again;
    expect(
      second.body.data.results.every((r: { action: string }) => r.action === 'unchanged'),
    ).toBe(true);
    console.log(
      `[iac] 1,000-object apply: create ${created.toFixed(0)} ms, re-apply (unchanged) ${unchanged.toFixed(0)} ms`,
    );
    expect(created).toBeLessThan(15_000);
  }, 60_000);
});
