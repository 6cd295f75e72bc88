import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { codegenJobs, projects } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

// Seeding through the API takes a while on a loaded 2-core machine.
setDefaultTimeout(60_000);

let t: TestApp;
let user: SeededUser;
let ids: { company: string; org: string; team: string };
const V1 = '/api/public/v1';

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_MAX_REQUESTS: '100000' } });
  user = await createUser(t);
  const b = { bearer: user.token };
  const c = await call(t, 'POST', `${V1}/companies`, { ...b, body: { name: 'Hostile' } });
  const o = await call(t, 'POST', `${V1}/organizations`, {
    ...b,
    body: { companyId: c.body.data.id, name: 'o' },
  });
  const tm = await call(t, 'POST', `${V1}/teams`, {
    ...b,
    body: { organizationId: o.body.data.id, name: 'x' },
  });
  ids = { company: c.body.data.id, org: o.body.data.id, team: tm.body.data.id };
}, 60_000);
afterAll(() => t.close());

test('NUL characters anywhere are a 400, never a database error', async () => {
  const b = { bearer: user.token };
  const probes: [string, string, unknown?][] = [
    ['POST', `${V1}/companies`, { name: 'a\u0000b' }],
    ['POST', `${V1}/companies`, { name: 'ok', stripeCustomerID: 'x\u0000' }],
    ['POST', `${V1}/organizations`, { companyId: ids.company, name: 'n\u0000' }],
    ['POST', `${V1}/teams`, { organizationId: ids.org, name: 'n\u0000' }],
    ['POST', `${V1}/projects`, { teamId: ids.team, name: 'p', description: 'd\u0000' }],
    [
      'POST',
      `${V1}/projects`,
      { teamId: ids.team, name: 'p2', graph: { nodes: [{ id: 'a\u0000' }], edges: [] } },
    ],
    [
      'POST',
      `${V1}/projects`,
      { teamId: ids.team, name: 'p3', graph: { nodes: [{ id: 'a', 'k\u0000': 1 }], edges: [] } },
    ],
    ['GET', `${V1}/organizations/a%00b`],
    ['GET', `${V1}/companies?name=a%00`],
    ['GET', `${V1}/projects?name=a%00`],
    ['GET', `${V1}/iac/Company/a%00b`],
    ['POST', `${V1}/companies/${ids.company}/members`, { email: 'a\u0000@example.com' }],
  ];
  for (const [method, path, body] of probes) {
    const res = await call(t, method, path, { ...b, body });
    expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 400`);
  }
  const yaml = await call(t, 'POST', `${V1}/iac/apply`, {
    ...b,
    body: 'apiVersion: v1\nkind: Project\nmetadata: {name: p}\nspec: {teamID: 1, description: "a\\0b"}',
    headers: { 'content-type': 'application/yaml' },
  });
  expect(yaml.status).toBe(400);
  expect(yaml.body.details[0].path).toBe('documents[0].spec.description');
});

test('an escaped backslash before "u0000" is ordinary text', async () => {
  const res = await call(t, 'POST', `${V1}/projects`, {
    bearer: user.token,
    body: `{"teamId":"${ids.team}","name":"escaped","description":"C:\\\\u0000dir"}`,
  });
  expect(res.status).toBe(201);
  expect(res.body.data.description).toBe('C:\\u0000dir');
});

/** Row counts of what the probes below could have written. */
async function storedRows() {
  const db = t.database.db;
  const [p, j] = await Promise.all([db.select().from(projects), db.select().from(codegenJobs)]);
  return { projects: p.length, jobs: j.length };
}

const LONE = '\ud800';
const graphWith = (node: Record<string, unknown>) => ({
  nodes: [{ id: 'api', type: 'service', ...node }],
  edges: [],
});

test('a lone UTF-16 surrogate in a JSON-stored field is a 400 naming the field; nothing is written', async () => {
  const b = { bearer: user.token };
  const made = await call(t, 'POST', `${V1}/projects`, {
    ...b,
    body: { teamId: ids.team, name: 'surrogates', graph: graphWith({}) },
  });
  expect(made.status).toBe(201);
  const project = `${V1}/projects/${made.body.data.id}`;
  const submit = (overrides: { node?: Record<string, unknown>; context?: string[] }) => ({
    input: {
      modelProvider: 'builtin',
      modelName: 'deterministic',
      graph: graphWith(overrides.node ?? {}),
    },
    context: overrides.context ?? [],
    companyId: ids.company,
    project: { id: made.body.data.id },
  });
  const probes: [string, string, unknown, string][] = [];
  for (const field of ['id', 'type', 'name']) {
    const graph = graphWith({ [field]: `a${LONE}` });
    probes.push([
      'POST',
      `${V1}/projects`,
      { teamId: ids.team, name: 'p', graph },
      `graph.nodes.0.${field}`,
    ]);
    probes.push(['PUT', project, { graph }, `graph.nodes.0.${field}`]);
    probes.push(['PATCH', project, { graph }, `graph.nodes.0.${field}`]);
  }
  for (const kind of ['codegen', 'plan']) {
    const path = `${V1}/graph/${kind}`;
    probes.push(['POST', path, submit({ node: { id: `a${LONE}` } }), 'input.graph.nodes.0.id']);
    probes.push(['POST', path, submit({ node: { name: `x${LONE}` } }), 'input.graph.nodes.0.name']);
    probes.push(['POST', path, submit({ context: ['fine', `${LONE}x`] }), 'context.1']);
  }
  probes.push(['POST', `${V1}/projects`, { teamId: ids.team, name: `n${LONE}` }, 'name']);
  probes.push(['PATCH', project, { description: '\udfff' }, 'description']);
  const before = await storedRows();
  for (const [method, path, body, field] of probes) {
    const res = await call(t, method, path, { ...b, body });
    const where = `${method} ${path} ${field}`;
    expect(`${where} ${res.status} ${res.body.code}`).toBe(`${where} 400 VALIDATION_FAILED`);
    expect(res.body.details).toEqual([
      { path: field, message: expect.stringContaining('surrogate') },
    ]);
  }
  expect(await storedRows()).toEqual(before);
  const unchanged = await call(t, 'GET', project, b);
  expect(unchanged.body.data.graph).toEqual(graphWith({}));
});

test('a NUL outside tenancy (code generation) is refused by the same check, with its field', async () => {
  const before = await storedRows();
  const res = await call(t, 'POST', `${V1}/graph/codegen`, {
    bearer: user.token,
    body: {
      input: { modelProvider: 'builtin', modelName: 'deterministic', graph: graphWith({}) },
      context: ['a\u0000b'],
      companyId: ids.company,
      project: { name: 'nul-context', teamId: ids.team },
    },
  });
  expect(res.status).toBe(400);
  expect(res.body.details).toEqual([{ path: 'context.0', message: 'Must not contain U+0000' }]);
  expect(await storedRows()).toEqual(before);
});

test('NUL in a path or a query parameter is named too', async () => {
  const b = { bearer: user.token };
  const param = await call(t, 'GET', `${V1}/organizations/a%00b`, b);
  expect(param.body.details).toEqual([{ path: 'ref', message: 'Must not contain U+0000' }]);
  const query = await call(t, 'GET', `${V1}/projects?name=a%00`, b);
  expect(query.body.details).toEqual([{ path: 'name', message: 'Must not contain U+0000' }]);
  const key = await call(t, 'POST', `${V1}/projects`, {
    ...b,
    body: { teamId: ids.team, name: 'k', graph: { nodes: [{ id: 'a', 'k\u0000': 1 }], edges: [] } },
  });
  expect(key.body.details).toEqual([
    { path: 'graph.nodes.0', message: 'Keys must not contain U+0000' },
  ]);
});

test('escaped surrogate pairs are ordinary characters', async () => {
  // JSON.stringify would send the emoji raw: escaped by hand, so the cheap check flags the body.
  const res = await call(t, 'POST', `${V1}/projects`, {
    bearer: user.token,
    body: `{"teamId":"${ids.team}","name":"rocket \\ud83d\\ude80","graph":{"nodes":[{"id":"\\ud83d\\ude80"}],"edges":[]}}`,
  });
  expect(res.status).toBe(201);
  expect(res.body.data.name).toBe('rocket 🚀');
  expect(res.body.data.graph.nodes[0].id).toBe('🚀');
});

test('manifests (IaC, JSON or YAML) are checked the same way', async () => {
  const b = { bearer: user.token };
  const before = await storedRows();
  const json = await call(t, 'POST', `${V1}/iac/apply`, {
    ...b,
    body: {
      apiVersion: 'v1',
      kind: 'Project',
      metadata: { name: 'iac-surrogate' },
      spec: { teamID: ids.team, graph: graphWith({ name: `x${LONE}` }) },
    },
  });
  expect(json.status).toBe(400);
  expect(json.body.details[0].path).toBe('documents[0].spec.graph.nodes.0.name');
  const yaml = await call(t, 'POST', `${V1}/iac/apply`, {
    ...b,
    body: `apiVersion: v1\nkind: Project\nmetadata: {name: p}\nspec: {teamID: ${ids.team}, description: "a\\ud800b"}`,
    headers: { 'content-type': 'application/yaml' },
  });
  expect(yaml.status).toBe(400);
  expect(yaml.body.details[0].path).toBe('documents[0].spec.description');
  expect(await storedRows()).toEqual(before);
});

test('ids beyond a PostgreSQL serial are a 400 everywhere, code generation included', async () => {
  const b = { bearer: user.token };
  const huge = '9999999999';
  const body = (project: Record<string, string>) => ({
    input: { modelProvider: 'builtin', modelName: 'deterministic', graph: graphWith({}) },
    companyId: ids.company,
    project,
  });
  const probes: [string, string, unknown?][] = [
    ['POST', `${V1}/graph/codegen`, body({ id: huge })],
    ['POST', `${V1}/graph/plan`, body({ name: 'p', teamId: huge })],
    ['GET', `${V1}/graph/codegen?projectId=${huge}`],
    ['GET', `${V1}/teams/${huge}`],
    ['GET', `${V1}/projects?teamId=${huge}`],
  ];
  for (const [method, path, payload] of probes) {
    const res = await call(t, method, path, { ...b, body: payload });
    expect(`${method} ${path} ${res.status} ${res.body.details?.[0]?.message}`).toBe(
      `${method} ${path} 400 Id out of range`,
    );
  }
});
