import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import { auditLogs, companies, organizations, projects, teams, users } from '../../src/db/schema';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { META, type Person, person, reload, seedTenant, type Tenant } from './fixtures';

// Seeding tenants through the API takes a while on a loaded 2-core machine.
setDefaultTimeout(60_000);

let t: TestApp;
let a: Tenant;
let b: Tenant;
let admin: Person;
beforeAll(async () => {
  t = await createTestApp();
  admin = await person(t, 'admin'); // the first account is the platform admin
  a = await seedTenant(t, 'Acme');
  b = await seedTenant(t, 'Globex');
}, 60_000);
afterAll(() => t.close());

const svc = () => t.instance.services.tenancy.directory;

describe('companies (service API other areas call)', () => {
  test('creator is owner; the owner sees billing fields, a member does not', async () => {
    const asOwner = await svc().getCompany(a.owner.user, a.company.id);
    expect(asOwner).toMatchObject({ id: a.company.id, name: 'Acme Inc', tokens: 0, role: 'owner' });
    expect(asOwner).toHaveProperty('stripeCustomerId');
    const asMember = await svc().getCompany(a.member.user, a.company.id);
    expect(asMember.role).toBe('member');
    expect(asMember).not.toHaveProperty('stripeCustomerId');
  });

  test('another tenant, anonymous and garbage ids all get the same 404', async () => {
    for (const [actor, id] of [
      [b.owner.user, a.company.id],
      [null, a.company.id],
      [a.owner.user, 'not-a-uuid'],
      [a.owner.user, '00000000-0000-4000-8000-000000000000'],
    ] as const) {
      await expect(svc().getCompany(actor, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  test('requireCompanyRole: 404 outside, 403 below the asked role, effective role otherwise', async () => {
    expect(await svc().requireCompanyRole(a.owner.user, a.company.id, 'admin')).toBe('owner');
    expect(await svc().requireCompanyRole(a.teamMember.user, a.company.id)).toBe('member');
    await expect(
      svc().requireCompanyRole(a.member.user, a.company.id, 'admin'),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      svc().requireCompanyRole(b.owner.user, a.company.id, 'member'),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await svc().companyRole(b.owner.user, a.company.id)).toBeNull();
  });

  test('tokens: only platform admins set them; the creator cannot smuggle them in', async () => {
    await expect(
      svc().createCompany(a.owner.user, { name: 'Rich', tokens: 1_000_000 }, META),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      svc().updateCompany(a.owner.user, a.company.id, { tokens: 5 }, META),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const updated = await svc().updateCompany(admin.user, a.company.id, { tokens: 100 }, META);
    expect(updated.tokens).toBe(100);
  });

  test('adjustTokens is atomic and never goes below zero (402 with the balance)', async () => {
    const id = b.company.id;
    await svc().adjustTokens(id, 10);
    const spends = await Promise.allSettled(
      Array.from({ length: 15 }, () =>
        svc().adjustTokens(id, -1, { actorId: null, reason: 'codegen' }),
      ),
    );
    expect(spends.filter((s) => s.status === 'fulfilled').length).toBe(10);
    const refused = spends.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'INSUFFICIENT_TOKENS', status: 402 });
    const [row] = await t.database.db.select().from(companies).where(eq(companies.id, id));
    expect(row!.tokens).toBe(0);
    const audits = await t.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'company.tokens_adjusted'), eq(auditLogs.resourceId, id)));
    expect(audits.length).toBe(10);
  });
});

describe('platform manager', () => {
  test('manages the companies and organizations they belong to, and nothing else', async () => {
    const manager = await person(t, 'manager');
    await svc().addMember(
      a.owner.user,
      'company',
      a.company.id,
      { userId: Number(manager.id), role: 'member' },
      META,
    );
    expect(await svc().companyRole(manager.user, a.company.id)).toBe('admin');
    const org = await svc().createOrganization(
      manager.user,
      { companyId: a.company.id, name: 'Managed' },
      META,
    );
    expect(org.companyId).toBe(a.company.id);
    // A plain member with the team_member platform role may not.
    await expect(
      svc().createOrganization(a.member.user, { companyId: a.company.id, name: 'Nope' }, META),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Another company stays invisible to the manager.
    await expect(svc().getCompany(manager.user, b.company.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // And a manager cannot grant owner: their effective role is admin.
    await expect(
      svc().changeMemberRole(
        manager.user,
        'company',
        a.company.id,
        Number(manager.id),
        'owner',
        META,
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('projects', () => {
  test('a team member creates and reads; the graph is stored as given', async () => {
    const p = await svc().getProject(a.teamMember.user, Number(a.project.id));
    expect(p.graph).toEqual({ nodes: [{ id: 'a' }], edges: [] });
    expect(p.companyId).toBe(a.company.id);
  });

  test('a company member outside the team cannot see a private project, but can a public one', async () => {
    await expect(svc().getProject(a.member.user, Number(a.project.id))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await svc().getProject(null, Number(a.publicProject.id))).visibility).toBe('public');
  });

  test('creating in a foreign team is a 404; an invalid graph is a 400 with a path', async () => {
    await expect(
      svc().createProject(b.teamMember.user, { teamId: Number(a.team.id), name: 'x' }, META),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      svc().createProject(
        a.teamMember.user,
        {
          teamId: Number(a.team.id),
          name: 'bad',
          graph: { nodes: [{ id: 'a' }], edges: [{ source: 'a', target: 'z' }] },
        },
        META,
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'graph.edges.0.target' }],
    });
  });
});

describe('memberships', () => {
  test('joining a team makes the user a member above and sets their primary team', async () => {
    const me = await reload(t, a.teamMember.id);
    expect(me.teamId).toBe(Number(a.team.id));
    expect(await svc().companyRole(a.teamMember.user, a.company.id)).toBe('member');
    const org = await svc().getOrganization(a.teamMember.user, Number(a.organization.id));
    expect(org.id).toBe(a.organization.id);
  });

  test('the last owner cannot be removed or demoted (409); nobody grants above their role', async () => {
    await expect(
      svc().removeMember(a.owner.user, 'company', a.company.id, Number(a.owner.id), META),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      svc().changeMemberRole(
        a.owner.user,
        'company',
        a.company.id,
        Number(a.owner.id),
        'admin',
        META,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      svc().addMember(
        a.maintainer.user,
        'organization',
        a.organization.id,
        { userId: Number(a.maintainer.id), role: 'admin' },
        META,
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('concurrency', () => {
  test('two owners removing each other at once: one succeeds, the other gets 409, never a 500', async () => {
    const c = await seedTenant(t, 'Duel');
    const second = await person(t);
    await svc().addMember(
      c.owner.user,
      'company',
      c.company.id,
      { userId: Number(second.id), role: 'owner' },
      META,
    );
    const results = await Promise.allSettled([
      svc().removeMember(c.owner.user, 'company', c.company.id, Number(second.id), META),
      svc().removeMember(second.user, 'company', c.company.id, Number(c.owner.id), META),
    ]);
    const failures = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(results.length - failures.length).toBe(1);
    expect(failures.length).toBe(1);
    // The loser either lost the last-owner race (409) or was no longer a member (404).
    expect(['CONFLICT', 'NOT_FOUND']).toContain(failures[0]!.reason.code);
    const owners = (
      await svc().listMembers(admin.user, 'company', c.company.id, { page: 1, limit: 100 })
    ).data.filter((m) => m.role === 'owner');
    expect(owners.length).toBe(1);
  });
});

describe('cascading soft delete', () => {
  test('deleting a company soft-deletes its subtree in one go and clears primary teams', async () => {
    const c = await seedTenant(t, 'Doomed');
    await svc().deleteCompany(c.owner.user, c.company.id, META);
    const db = t.database.db;
    const [org] = await db
      .select()
      .from(organizations)
      .where(eq(organizations.id, Number(c.organization.id)));
    const [team] = await db
      .select()
      .from(teams)
      .where(eq(teams.id, Number(c.team.id)));
    const [proj] = await db
      .select()
      .from(projects)
      .where(eq(projects.id, Number(c.project.id)));
    expect(org!.deletedAt).not.toBeNull();
    expect(team!.deletedAt).not.toBeNull();
    expect(proj!.deletedAt).not.toBeNull();
    const [u] = await db
      .select()
      .from(users)
      .where(eq(users.id, Number(c.teamMember.id)));
    expect(u!.teamId).toBeNull();
    await expect(svc().getProject(null, Number(c.publicProject.id))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
