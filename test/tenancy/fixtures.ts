import { eq } from 'drizzle-orm';
import { type UserRole, users } from '../../src/db/schema';
import { type AuthUser, toAuthUser } from '../../src/services/auth/types';
import { createUser, type SeededUser } from '../helpers/seed';
import type { TestApp } from '../helpers/test-app';

/** A seeded user plus the AuthUser services expect. */
export interface Person extends SeededUser {
  user: AuthUser;
}

export async function person(t: TestApp, role: UserRole = 'team_member'): Promise<Person> {
  const seeded = await createUser(t, { role });
  return { ...seeded, user: await reload(t, seeded.id) };
}

export async function reload(t: TestApp, id: string | number): Promise<AuthUser> {
  const [row] = await t.database.db
    .select()
    .from(users)
    .where(eq(users.id, Number(id)));
  return toAuthUser(row!);
}

export const META = { ip: '127.0.0.1', userAgent: 'test' };

/**
 * One company with an organization, a team and a project, plus people in each role:
 * owner (company owner), member (company member only), orgAdmin (organization admin),
 * maintainer and teamMember (team roles). Built through the services, as the API would.
 */
export async function seedTenant(t: TestApp, label: string) {
  const tenancy = t.instance.services.tenancy.directory;
  const owner = await person(t);
  const member = await person(t);
  const orgAdmin = await person(t);
  const maintainer = await person(t);
  const teamMember = await person(t);
  const company = await tenancy.createCompany(owner.user, { name: `${label} Inc` }, META);
  const organization = await tenancy.createOrganization(
    owner.user,
    { companyId: company.id, name: `${label} Engineering` },
    META,
  );
  const team = await tenancy.createTeam(
    owner.user,
    { organizationId: Number(organization.id), name: `${label} Platform` },
    META,
  );
  await tenancy.addMember(
    owner.user,
    'company',
    company.id,
    { userId: Number(member.id), role: 'member' },
    META,
  );
  await tenancy.addMember(
    owner.user,
    'organization',
    organization.id,
    { userId: Number(orgAdmin.id), role: 'admin' },
    META,
  );
  await tenancy.addMember(
    owner.user,
    'team',
    team.id,
    { userId: Number(maintainer.id), role: 'maintainer' },
    META,
  );
  await tenancy.addMember(
    owner.user,
    'team',
    team.id,
    { userId: Number(teamMember.id), role: 'member' },
    META,
  );
  const project = await tenancy.createProject(
    teamMember.user,
    { teamId: Number(team.id), name: `${label} App`, graph: { nodes: [{ id: 'a' }], edges: [] } },
    META,
  );
  const publicProject = await tenancy.createProject(
    teamMember.user,
    { teamId: Number(team.id), name: `${label} Public`, visibility: 'public' },
    META,
  );
  return {
    owner,
    member,
    orgAdmin,
    maintainer,
    teamMember,
    company,
    organization,
    team,
    project,
    publicProject,
  };
}
export type Tenant = Awaited<ReturnType<typeof seedTenant>>;
