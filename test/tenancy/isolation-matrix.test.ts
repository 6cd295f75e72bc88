import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { count, eq } from 'drizzle-orm';
import { companyMembers, organizations, projects, teams } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { META, person, seedTenant } from './fixtures';
import { type Case, insertSpareUser, PERSONAS, runCell, tokenOf, type World } from './matrix';
import { CASES } from './matrix-cases';

// Seeding tenants through the API takes a while on a loaded 2-core machine.
setDefaultTimeout(60_000);

let t: TestApp;
let w: World;
const V1 = '/api/public/v1';

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_MAX_REQUESTS: '1000000' } });
  const admin = await person(t, 'admin');
  const a = await seedTenant(t, 'Acme');
  const b = await seedTenant(t, 'Globex');
  const disabled = await person(t);
  await t.instance.services.tenancy.directory.addMember(
    a.owner.user,
    'team',
    a.team.id,
    { userId: Number(disabled.id), role: 'member' },
    META,
  );
  const off = await call(t, 'PATCH', `${V1}/users/${disabled.id}`, {
    bearer: admin.token,
    body: { disabled: true },
  });
  expect(off.status).toBe(200);
  let n = 0;
  w = {
    t,
    a,
    b,
    admin,
    disabled,
    spareUser: () => insertSpareUser(t),
    unique: (prefix) => `${prefix} ${++n}`,
  };
}, 60_000);
afterAll(() => t.close());

describe.each(CASES.map((c) => [c.name, c] as [string, Case]))('%s', (_name, c) => {
  for (const side of ['own', 'foreign'] as const) {
    test(`every persona on the ${side} resource`, async () => {
      for (const persona of PERSONAS) await runCell(w, c, persona, side);
    });
  }
});

describe('IDOR: guessed serial ids', () => {
  test('walking every id answers 404 for the invisible ones, with the same body as a missing id', async () => {
    const db = t.database.db;
    const max = async (table: typeof organizations | typeof teams | typeof projects) =>
      (await db.select({ n: count() }).from(table))[0]!.n + 3;
    const bodyOf = (res: { body: Record<string, unknown> }) => ({
      ...res.body,
      requestId: 0,
      timestamp: 0,
    });
    for (const [kind, table] of [
      ['organizations', organizations],
      ['teams', teams],
      ['projects', projects],
    ] as const) {
      const mine = await db
        .select({ id: companyMembers.companyId })
        .from(companyMembers)
        .where(eq(companyMembers.userId, Number(w.a.teamMember.id)));
      const myCompanies = new Set(mine.map((m) => m.id));
      expect(myCompanies.has(w.b.company.id)).toBe(false);
      const missing = await call(t, 'GET', `${V1}/${kind}/2000000000`, {
        bearer: w.a.teamMember.token,
      });
      const top = await max(table);
      let visible = 0;
      for (let id = 1; id <= top; id++) {
        const res = await call(t, 'GET', `${V1}/${kind}/${id}`, { bearer: w.a.teamMember.token });
        if (res.status === 200) {
          visible += 1;
          const row = res.body.data;
          expect(myCompanies.has(row.companyId) || row.visibility === 'public').toBe(true);
        } else {
          expect(res.status).toBe(404);
          expect(bodyOf(res)).toEqual(bodyOf(missing));
        }
      }
      expect(visible).toBeGreaterThan(0);
    }
  });
});

describe('a child addressed under a foreign parent', () => {
  test('filters and creates naming a foreign parent are 404', async () => {
    const me = { bearer: w.a.owner.token };
    expect(
      (await call(t, 'GET', `${V1}/teams?organizationId=${w.b.organization.id}`, me)).status,
    ).toBe(404);
    expect((await call(t, 'GET', `${V1}/teams?companyId=${w.b.company.id}`, me)).status).toBe(404);
    expect(
      (await call(t, 'GET', `${V1}/organizations?companyId=${w.b.company.id}`, me)).status,
    ).toBe(404);
    const team = await call(t, 'POST', `${V1}/teams`, {
      ...me,
      body: { organizationId: w.b.organization.id, name: 'Mole' },
    });
    expect(team.status).toBe(404);
    const project = await call(t, 'POST', `${V1}/projects`, {
      ...me,
      body: { teamId: w.b.team.id, name: 'Mole' },
    });
    expect(project.status).toBe(404);
    const org = await call(t, 'POST', `${V1}/organizations`, {
      ...me,
      body: { companyId: w.b.company.id, name: 'Mole' },
    });
    expect(org.status).toBe(404);
    // Private projects of a foreign team never appear, whatever the filter says.
    const list = await call(t, 'GET', `${V1}/projects?teamId=${w.b.team.id}`, me);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([w.b.publicProject.id]);
    // Members of a foreign organization are invisible, even through its slug.
    expect(
      (await call(t, 'GET', `${V1}/organizations/${w.b.organization.slug}/members`, me)).status,
    ).toBe(404);
  });
});

describe('mass assignment', () => {
  test('companyId, organizationId, role and tokens cannot be smuggled into bodies', async () => {
    const me = { bearer: w.a.owner.token };
    const moveTeam = await call(t, 'PATCH', `${V1}/teams/${w.a.team.id}`, {
      ...me,
      body: { organizationId: w.b.organization.id },
    });
    expect(moveTeam.status).toBe(400);
    const moveOrg = await call(t, 'PATCH', `${V1}/organizations/${w.a.organization.id}`, {
      ...me,
      body: { companyId: w.b.company.id },
    });
    expect(moveOrg.status).toBe(400);
    const project = await call(t, 'POST', `${V1}/projects`, {
      ...me,
      body: { teamId: w.a.team.id, name: 'Sneaky', companyId: w.b.company.id },
    });
    expect(project.status).toBe(400);
    const movedProject = await call(t, 'PATCH', `${V1}/projects/${w.a.project.id}`, {
      ...me,
      body: { teamId: w.b.team.id },
    });
    expect(movedProject.status).toBe(400);
    const tokens = await call(t, 'PATCH', `${V1}/companies/${w.a.company.id}`, {
      ...me,
      body: { tokens: 1_000_000 },
    });
    expect(tokens.status).toBe(403);
    const created = await call(t, 'POST', `${V1}/companies`, {
      ...me,
      body: { name: 'Rich', tokens: 1_000_000 },
    });
    expect(created.status).toBe(403);
    const role = await call(t, 'POST', `${V1}/companies`, {
      ...me,
      body: { name: 'Sneaky', role: 'admin' },
    });
    expect(role.status).toBe(400);
    // A company admin cannot hand out owner.
    const companyAdmin = await person(t);
    await t.instance.services.tenancy.directory.addMember(
      w.a.owner.user,
      'company',
      w.a.company.id,
      { userId: Number(companyAdmin.id), role: 'admin' },
      META,
    );
    const spare = await w.spareUser();
    const owner = await call(t, 'POST', `${V1}/companies/${w.a.company.id}/members`, {
      bearer: companyAdmin.token,
      body: { userId: String(spare), role: 'owner' },
    });
    expect(owner.status).toBe(403);
    const self = await call(
      t,
      'PATCH',
      `${V1}/companies/${w.a.company.id}/members/${companyAdmin.id}`,
      {
        bearer: companyAdmin.token,
        body: { role: 'owner' },
      },
    );
    expect(self.status).toBe(403);
  });
});

describe('escalation', () => {
  test('a team maintainer cannot make anyone (themselves included) an organization admin', async () => {
    const m = { bearer: w.a.maintainer.token };
    const org = `${V1}/organizations/${w.a.organization.id}/members`;
    expect(
      (await call(t, 'POST', org, { ...m, body: { userId: w.a.maintainer.id, role: 'admin' } }))
        .status,
    ).toBe(403);
    expect(
      (await call(t, 'PATCH', `${org}/${w.a.maintainer.id}`, { ...m, body: { role: 'admin' } }))
        .status,
    ).toBe(403);
    expect(
      (await call(t, 'POST', org, { ...m, body: { email: 'x@example.com', role: 'admin' } }))
        .status,
    ).toBe(403);
    const company = `${V1}/companies/${w.a.company.id}/members`;
    expect(
      (await call(t, 'POST', company, { ...m, body: { userId: w.a.maintainer.id, role: 'admin' } }))
        .status,
    ).toBe(403);
    // What a maintainer may do: manage their team's members.
    const spare = await w.spareUser();
    const ok = await call(t, 'POST', `${V1}/teams/${w.a.team.id}/members`, {
      ...m,
      body: { userId: String(spare), role: 'maintainer' },
    });
    expect(ok.status).toBe(201);
    const roles = await call(
      t,
      'GET',
      `${V1}/organizations/${w.a.organization.id}/members?limit=100`,
      m,
    );
    const mine = roles.body.data.find((x: { userId: string }) => x.userId === w.a.maintainer.id);
    expect(mine.role).toBe('member');
  });
});

describe('lists show exactly what get allows', () => {
  async function listedIds(kind: string, token: string | undefined) {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const res = await call(t, 'GET', `${V1}/${kind}?limit=100&page=${page}`, { bearer: token });
      expect(res.status).toBe(200);
      ids.push(...res.body.data.map((r: { id: string }) => r.id));
      if (page >= res.body.pagination.totalPages) return ids;
    }
  }

  test.each(['organizations', 'teams', 'projects'])('%s', async (kind) => {
    const db = t.database.db;
    const table = { organizations, teams, projects }[kind]!;
    const top = (await db.select({ n: count() }).from(table))[0]!.n + 1;
    // The matrix personas, plus a team maintainer and a platform manager with plain memberships.
    const manager = await person(t, 'manager');
    await t.instance.services.tenancy.directory.addMember(
      w.a.owner.user,
      'organization',
      w.a.organization.id,
      { userId: Number(manager.id), role: 'member' },
      META,
    );
    const callers: [string, string | undefined][] = [
      ...PERSONAS.map((p) => [p, tokenOf(w, p)] as [string, string | undefined]),
      ['maintainer', w.a.maintainer.token],
      ['manager', manager.token],
    ];
    for (const [persona, token] of callers) {
      if (kind !== 'projects' && (persona === 'anonymous' || persona === 'disabled')) continue;
      const ids = await listedIds(kind, token);
      expect(new Set(ids).size, `${kind} as ${persona}: no duplicates across pages`).toBe(
        ids.length,
      );
      const readable: string[] = [];
      for (let id = 1; id <= top; id++) {
        const res = await call(t, 'GET', `${V1}/${kind}/${id}`, { bearer: token });
        if (res.status === 200) readable.push(String(id));
      }
      expect(ids.sort(), `${kind} as ${persona}`).toEqual(readable.sort());
    }
  });
});
