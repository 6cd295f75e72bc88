import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { and, desc, eq } from 'drizzle-orm';
import { auditLogs, invitations } from '../../src/db/schema';
import { sha256Hex } from '../../src/lib/tokens';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

// Seeding tenants through the API takes a while on a loaded 2-core machine.
setDefaultTimeout(60_000);

let t: TestApp;
let admin: SeededUser;
let owner: SeededUser;
let other: SeededUser;
const V1 = '/api/public/v1';

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_MAX_REQUESTS: '100000' } });
  admin = await createUser(t);
  owner = await createUser(t);
  other = await createUser(t);
}, 60_000);
afterAll(() => t.close());

const as = (u: SeededUser | undefined) => (u ? { bearer: u.token } : {});
async function lastAudit(action: string) {
  const [row] = await t.database.db
    .select()
    .from(auditLogs)
    .where(eq(auditLogs.action, action))
    .orderBy(desc(auditLogs.id))
    .limit(1);
  return row;
}

describe('companies', () => {
  let companyId: string;

  test('create: 201, the caller is owner, audit row with the values', async () => {
    const res = await call(t, 'POST', `${V1}/companies`, {
      ...as(owner),
      body: { name: 'Acme', stripeCustomerID: 'cus_123' },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      name: 'Acme',
      tokens: 0,
      role: 'owner',
      stripeCustomerId: 'cus_123',
    });
    companyId = res.body.data.id;
    const audit = await lastAudit('company.created');
    expect(audit!.resourceId).toBe(companyId);
    expect(audit!.userId).toBe(Number(owner.id));
    expect(audit!.details).toMatchObject({ after: { name: 'Acme', stripeCustomerId: 'cus_123' } });
  });

  test('anonymous list shows only id and name; members see more', async () => {
    const anon = await call(t, 'GET', `${V1}/companies?name=acm`);
    expect(anon.status).toBe(200);
    expect(anon.body.data).toEqual([{ id: companyId, name: 'Acme' }]);
    const mine = await call(t, 'GET', `${V1}/companies?name=acm`, as(owner));
    expect(mine.body.data[0]).toMatchObject({ id: companyId, tokens: 0, role: 'owner' });
    const stranger = await call(t, 'GET', `${V1}/companies?name=acm`, as(other));
    expect(stranger.body.data).toEqual([{ id: companyId, name: 'Acme' }]);
  });

  test('update via PATCH and PUT records before/after of changed fields only', async () => {
    const res = await call(t, 'PATCH', `${V1}/companies/${companyId}`, {
      ...as(owner),
      body: { name: 'Acme Corp' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.name).toBe('Acme Corp');
    const audit = await lastAudit('company.updated');
    expect(audit!.details).toEqual({ name: { before: 'Acme', after: 'Acme Corp' } });
    const put = await call(t, 'PUT', `${V1}/companies/${companyId}`, {
      ...as(owner),
      body: { name: 'Acme' },
    });
    expect(put.status).toBe(200);
  });

  test('mass assignment: tokens from a non-admin is 403, unknown fields are 400', async () => {
    const tokens = await call(t, 'PATCH', `${V1}/companies/${companyId}`, {
      ...as(owner),
      body: { tokens: 99 },
    });
    expect(tokens.status).toBe(403);
    expect(tokens.body.error).toContain('tokens');
    const create = await call(t, 'POST', `${V1}/companies`, {
      ...as(other),
      body: { name: 'X', tokens: 10 },
    });
    expect(create.status).toBe(403);
    const extra = await call(t, 'PATCH', `${V1}/companies/${companyId}`, {
      ...as(owner),
      body: { id: 'x', createdBy: 1 },
    });
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('VALIDATION_FAILED');
    const byAdmin = await call(t, 'PATCH', `${V1}/companies/${companyId}`, {
      ...as(admin),
      body: { tokens: 500 },
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.data.tokens).toBe(500);
    expect((await lastAudit('company.updated'))!.details).toEqual({
      tokens: { before: 0, after: 500 },
    });
  });

  test('pagination bounds are 400, not clamped; sort is validated', async () => {
    for (const q of [
      'limit=0',
      'limit=101',
      'page=0',
      'page=x',
      'sort=password',
      'sort=-id;drop',
      'sort=tokens',
    ]) {
      const res = await call(t, 'GET', `${V1}/companies?${q}`);
      expect(res.status).toBe(400);
    }
    for (let i = 0; i < 3; i++) {
      await call(t, 'POST', `${V1}/companies`, { ...as(other), body: { name: `Zeta ${i}` } });
    }
    const page = await call(t, 'GET', `${V1}/companies?limit=2&page=2&sort=-name&name=zeta`);
    expect(page.status).toBe(200);
    expect(page.body.pagination).toEqual({ page: 2, limit: 2, total: 3, totalPages: 2 });
    expect(page.body.data.map((c: { name: string }) => c.name)).toEqual(['Zeta 0']);
  });

  test('PUBLIC_COMPANY_DIRECTORY=false: anonymous 401, signed-in see only their own', async () => {
    const closed = await createTestApp({
      database: t.database,
      env: { PUBLIC_COMPANY_DIRECTORY: 'false' },
    });
    try {
      expect((await call(closed, 'GET', `${V1}/companies`)).status).toBe(401);
      const res = await call(closed, 'GET', `${V1}/companies?limit=100`, as(owner));
      expect(res.status).toBe(200);
      expect(res.body.data.map((c: { id: string }) => c.id)).toEqual([companyId]);
    } finally {
      await closed.instance.stop();
      await closed.store.close();
    }
  });

  test('415 for a non-JSON body; 400 for broken JSON', async () => {
    const res = await call(t, 'POST', `${V1}/companies`, {
      ...as(owner),
      body: 'name: x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    const broken = await call(t, 'POST', `${V1}/companies`, { ...as(owner), body: '{"name":' });
    expect(broken.status).toBe(400);
  });
});

describe('organizations, teams, projects', () => {
  let companyId: string;
  let orgId: string;
  let teamId: string;

  beforeAll(async () => {
    const c = await call(t, 'POST', `${V1}/companies`, { ...as(owner), body: { name: 'Initech' } });
    companyId = c.body.data.id;
  });

  test('organization create (slug derived), get by id and by slug, duplicate slug 409', async () => {
    const res = await call(t, 'POST', `${V1}/organizations`, {
      ...as(owner),
      body: { companyId, name: 'Platform Engineering' },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ companyId, slug: 'platform-engineering' });
    orgId = res.body.data.id;
    expect((await call(t, 'GET', `${V1}/organizations/${orgId}`, as(owner))).body.data.id).toBe(
      orgId,
    );
    const bySlug = await call(t, 'GET', `${V1}/organizations/platform-engineering`, as(owner));
    expect(bySlug.status).toBe(200);
    expect(bySlug.body.data.id).toBe(orgId);
    expect(
      (await call(t, 'GET', `${V1}/organizations/platform-engineering`, as(other))).status,
    ).toBe(404);
    // The earlier product API's member endpoints by slug.
    const bySlugMembers = await call(
      t,
      'GET',
      `${V1}/organizations/platform-engineering/members`,
      as(owner),
    );
    expect(bySlugMembers.status).toBe(200);
    const addBySlug = await call(t, 'POST', `${V1}/organizations/platform-engineering/members`, {
      ...as(owner),
      body: { userId: other.id, role: 'member' },
    });
    expect(addBySlug.status).toBe(201);
    expect(
      (await call(t, 'GET', `${V1}/organizations/platform-engineering`, as(other))).status,
    ).toBe(200);
    const removed = await call(
      t,
      'DELETE',
      `${V1}/organizations/platform-engineering/members/${other.id}`,
      as(owner),
    );
    expect(removed.status).toBe(200);
    const dup = await call(t, 'POST', `${V1}/organizations`, {
      ...as(owner),
      body: { companyId, name: 'Other', slug: 'platform-engineering' },
    });
    expect(dup.status).toBe(409);
  });

  test('team and project lifecycle with graph validation', async () => {
    const team = await call(t, 'POST', `${V1}/teams`, {
      ...as(owner),
      body: { organizationId: orgId, name: 'Core' },
    });
    expect(team.status).toBe(201);
    teamId = team.body.data.id;
    expect(team.body.data).toMatchObject({ organizationId: orgId, companyId, slug: 'core' });
    const graph = {
      nodes: [
        { id: 'web', type: 'deployment' },
        { id: 'db', type: 'postgres' },
      ],
      edges: [{ source: 'web', target: 'db' }],
    };
    const project = await call(t, 'POST', `${V1}/projects`, {
      ...as(owner),
      body: { teamId, name: 'Shop', description: 'store', graph },
    });
    expect(project.status).toBe(201);
    expect(project.body.data.graph).toEqual(graph);
    const id = project.body.data.id;
    for (const bad of [
      { nodes: [{ id: 'a' }, { id: 'a' }], edges: [] },
      { nodes: [{ id: 'a' }], edges: [{ source: 'a', target: 'b' }] },
      { nodes: 'x' },
      { nodes: Array.from({ length: 2001 }, (_, i) => ({ id: `n${i}` })), edges: [] },
    ]) {
      const res = await call(t, 'PATCH', `${V1}/projects/${id}`, {
        ...as(owner),
        body: { graph: bad },
      });
      expect(res.status).toBe(400);
      expect(res.body.details[0].path).toStartWith('graph');
    }
    // Hostile nesting is a 400, never a 500 from the JSON encoder or the database.
    for (const depth of [40, 10_000, 200_000]) {
      const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const res = await call(t, 'PATCH', `${V1}/projects/${id}`, {
        ...as(owner),
        body: `{"graph":{"nodes":[],"edges":[],"extra":${deep}}}`,
      });
      expect(res.status).toBe(400);
    }
    const list = await call(t, 'GET', `${V1}/projects?teamId=${teamId}`, as(owner));
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([id]);
    expect(list.body.data[0]).not.toHaveProperty('graph');
    expect((await call(t, 'GET', `${V1}/projects/${id}`)).status).toBe(404);
    await call(t, 'PATCH', `${V1}/projects/${id}`, {
      ...as(owner),
      body: { visibility: 'public' },
    });
    expect((await call(t, 'GET', `${V1}/projects/${id}`)).status).toBe(200);
    expect(
      (await call(t, 'GET', `${V1}/projects?visibility=public`)).body.data.map(
        (p: { id: string }) => p.id,
      ),
    ).toContain(id);
  });

  test('deleting an organization cascades; children answer 404 afterwards', async () => {
    const res = await call(t, 'DELETE', `${V1}/organizations/${orgId}`, as(owner));
    expect(res.status).toBe(200);
    expect((await call(t, 'GET', `${V1}/teams/${teamId}`, as(owner))).status).toBe(404);
    expect((await call(t, 'GET', `${V1}/projects?teamId=${teamId}`, as(owner))).body.data).toEqual(
      [],
    );
    expect((await call(t, 'DELETE', `${V1}/organizations/${orgId}`, as(owner))).status).toBe(404);
  });
});

describe('primary team', () => {
  test('joining a first team sets users.team_id, visible at once in /auth/me; leaving clears it', async () => {
    const member = await createUser(t);
    const me = () => call(t, 'GET', `${V1}/auth/me`, as(member));
    expect((await me()).body.user.teamId).toBeNull();
    const c = await call(t, 'POST', `${V1}/companies`, { ...as(owner), body: { name: 'Teamco' } });
    const o = await call(t, 'POST', `${V1}/organizations`, {
      ...as(owner),
      body: { companyId: c.body.data.id, name: 'Org' },
    });
    const team = await call(t, 'POST', `${V1}/teams`, {
      ...as(owner),
      body: { organizationId: o.body.data.id, name: 'First' },
    });
    const add = await call(t, 'POST', `${V1}/teams/${team.body.data.id}/members`, {
      ...as(owner),
      body: { userId: member.id },
    });
    expect(add.status).toBe(201);
    expect((await me()).body.user.teamId).toBe(team.body.data.id);
    const leave = await call(
      t,
      'DELETE',
      `${V1}/companies/${c.body.data.id}/members/${member.id}`,
      as(owner),
    );
    expect(leave.status).toBe(200);
    expect((await me()).body.user.teamId).toBeNull();
    // Leaving the company left the organization and the team too.
    expect((await call(t, 'GET', `${V1}/teams/${team.body.data.id}`, as(member))).status).toBe(404);
  });
});

describe('members and invitations', () => {
  let companyId: string;
  beforeAll(async () => {
    const c = await call(t, 'POST', `${V1}/companies`, { ...as(owner), body: { name: 'Hooli' } });
    companyId = c.body.data.id;
  });

  test('add by email, change role, remove; audit rows for each', async () => {
    const add = await call(t, 'POST', `${V1}/companies/${companyId}/members`, {
      ...as(owner),
      body: { email: other.email.toUpperCase(), role: 'admin' },
    });
    expect(add.status).toBe(201);
    expect(add.body.data).toMatchObject({
      kind: 'member',
      member: { userId: other.id, role: 'admin' },
    });
    const list = await call(t, 'GET', `${V1}/companies/${companyId}/members`, as(other));
    expect(list.body.data.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual(
      [
        [owner.id, 'owner'],
        [other.id, 'admin'],
      ],
    );
    // An admin cannot promote anyone to owner, nor demote the owner.
    const up = await call(t, 'PATCH', `${V1}/companies/${companyId}/members/${other.id}`, {
      ...as(other),
      body: { role: 'owner' },
    });
    expect(up.status).toBe(403);
    const down = await call(t, 'PATCH', `${V1}/companies/${companyId}/members/${owner.id}`, {
      ...as(other),
      body: { role: 'member' },
    });
    expect(down.status).toBe(403);
    const change = await call(t, 'PATCH', `${V1}/companies/${companyId}/members/${other.id}`, {
      ...as(owner),
      body: { role: 'member' },
    });
    expect(change.status).toBe(200);
    expect((await lastAudit('company.member_role_changed'))!.details).toMatchObject({
      role: { before: 'admin', after: 'member' },
    });
    const dupe = await call(t, 'POST', `${V1}/companies/${companyId}/members`, {
      ...as(owner),
      body: { userId: other.id },
    });
    expect(dupe.status).toBe(409);
    const remove = await call(
      t,
      'DELETE',
      `${V1}/companies/${companyId}/members/${other.id}`,
      as(owner),
    );
    expect(remove.status).toBe(200);
    expect((await call(t, 'GET', `${V1}/companies/${companyId}`, as(other))).status).toBe(404);
    const last = await call(
      t,
      'DELETE',
      `${V1}/companies/${companyId}/members/${owner.id}`,
      as(owner),
    );
    expect(last.status).toBe(409);
  });

  test('invitation: only the hash is stored; single use; email must match; 7 days', async () => {
    const email = `invitee-${Date.now()}@example.com`;
    const res = await call(t, 'POST', `${V1}/companies/${companyId}/members`, {
      ...as(owner),
      body: { email, role: 'admin' },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.kind).toBe('invitation');
    const url: string = res.body.data.acceptUrl;
    const token = url.split('/invitations/')[1]!.split('/')[0]!;
    const [row] = await t.database.db
      .select()
      .from(invitations)
      .where(eq(invitations.email, email));
    expect(row!.tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const ttl = row!.expiresAt.getTime() - row!.createdAt.getTime();
    expect(Math.abs(ttl - 7 * 24 * 3600 * 1000)).toBeLessThan(5000);

    const accept = (u: SeededUser) => call(t, 'POST', `${V1}/invitations/${token}/accept`, as(u));
    expect((await accept(other)).status).toBe(403);
    const invitee = await createUser(t, { email });
    const ok = await accept(invitee);
    expect(ok.status).toBe(200);
    expect(ok.body.data.status).toBe('accepted');
    const company = await call(t, 'GET', `${V1}/companies/${companyId}`, as(invitee));
    expect(company.body.data.role).toBe('admin');
    const again = await accept(invitee);
    expect(again.status).toBe(409);
    expect(
      (await call(t, 'POST', `${V1}/invitations/${'A'.repeat(43)}/accept`, as(invitee))).status,
    ).toBe(404);
  });

  test('an invitation accepted twice at the same moment is used once', async () => {
    const email = `race-${Date.now()}@example.com`;
    const res = await call(t, 'POST', `${V1}/companies/${companyId}/members`, {
      ...as(owner),
      body: { email },
    });
    const token = res.body.data.acceptUrl.split('/invitations/')[1].split('/')[0];
    const invitee = await createUser(t, { email });
    const both = await Promise.all([
      call(t, 'POST', `${V1}/invitations/${token}/accept`, as(invitee)),
      call(t, 'POST', `${V1}/invitations/${token}/accept`, as(invitee)),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  test('revoked and expired invitations are refused', async () => {
    const email = `late-${Date.now()}@example.com`;
    const res = await call(t, 'POST', `${V1}/companies/${companyId}/members`, {
      ...as(owner),
      body: { email },
    });
    const id = res.body.data.invitation.id;
    const token = res.body.data.acceptUrl.split('/invitations/')[1].split('/')[0];
    const listed = await call(t, 'GET', `${V1}/invitations?companyId=${companyId}`, as(owner));
    expect(listed.body.data.find((i: { id: string }) => i.id === id).status).toBe('pending');
    expect((await call(t, 'DELETE', `${V1}/invitations/${id}`, as(owner))).status).toBe(200);
    const invitee = await createUser(t, { email });
    const revoked = await call(t, 'POST', `${V1}/invitations/${token}/accept`, as(invitee));
    expect(revoked.status).toBe(409);
    expect(revoked.body.error).toContain('revoked');

    const second = await call(t, 'POST', `${V1}/companies/${companyId}/members`, {
      ...as(owner),
      body: { email: `later-${Date.now()}@example.com` },
    });
    const token2 = second.body.data.acceptUrl.split('/invitations/')[1].split('/')[0];
    await t.database.db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(invitations.id, second.body.data.invitation.id)));
    const invitee2 = await createUser(t, { email: second.body.data.invitation.email });
    const expired = await call(t, 'POST', `${V1}/invitations/${token2}/accept`, as(invitee2));
    expect(expired.status).toBe(409);
    expect(expired.body.error).toContain('expired');
  });
});
