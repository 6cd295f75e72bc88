import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
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
