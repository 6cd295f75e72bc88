import { META, type Tenant } from './fixtures';
import type { Case, PersonaName, World } from './matrix';

/** Every tenancy endpoint, with who may call it (see docs/permissions.md). */

const V1 = '/api/public/v1';
const MEMBERS: PersonaName[] = ['admin', 'owner', 'member', 'orgAdmin', 'teamMember'];
const ORG_READERS: PersonaName[] = ['admin', 'owner', 'orgAdmin', 'teamMember'];
const EVERYONE: PersonaName[] = [...MEMBERS, 'stranger'];
const COMPANY_MANAGERS: PersonaName[] = ['admin', 'owner'];
const ORG_MANAGERS: PersonaName[] = ['admin', 'owner', 'orgAdmin'];

const svc = (w: World) => w.t.instance.services.tenancy.directory;

/** A new company where the tenant's people hold the same roles as in their own company. */
async function freshCompany(w: World, tenant: Tenant) {
  const s = svc(w);
  const owner = tenant.owner.user;
  const company = await s.createCompany(owner, { name: w.unique('Fresh') }, META);
  await s.addMember(
    owner,
    'company',
    company.id,
    { userId: Number(tenant.member.id), role: 'member' },
    META,
  );
  const org = await freshOrganization(w, tenant, company.id);
  return { company, org };
}

async function freshOrganization(w: World, tenant: Tenant, companyId: string) {
  const s = svc(w);
  const owner = tenant.owner.user;
  const org = await s.createOrganization(owner, { companyId, name: w.unique('Org') }, META);
  await s.addMember(
    owner,
    'organization',
    org.id,
    { userId: Number(tenant.orgAdmin.id), role: 'admin' },
    META,
  );
  await freshTeam(w, tenant, org.id);
  return org;
}

async function freshTeam(w: World, tenant: Tenant, organizationId: string) {
  const s = svc(w);
  const owner = tenant.owner.user;
  const team = await s.createTeam(
    owner,
    { organizationId: Number(organizationId), name: w.unique('Team') },
    META,
  );
  await s.addMember(
    owner,
    'team',
    team.id,
    { userId: Number(tenant.teamMember.id), role: 'member' },
    META,
  );
  return team;
}

async function spareMember(w: World, tenant: Tenant) {
  const userId = await w.spareUser();
  await svc(w).addMember(
    tenant.owner.user,
    'company',
    tenant.company.id,
    { userId, role: 'member' },
    META,
  );
  return userId;
}

async function spareIn(w: World, tenant: Tenant, level: 'organization' | 'team') {
  const userId = await w.spareUser();
  const id = level === 'organization' ? tenant.organization.id : tenant.team.id;
  await svc(w).addMember(tenant.owner.user, level, id, { userId, role: 'member' }, META);
  return userId;
}

const manifest = (kind: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'kubegram.io/v1',
  kind,
  metadata: { name },
  spec,
});

const email = (w: World) => `${w.unique('invitee').replace(/\W+/g, '-')}@example.com`;

export const CASES: Case[] = [
  // ── companies ──
  {
    name: 'GET /companies',
    method: 'GET',
    build: () => ({ path: `${V1}/companies` }),
    ok: 200,
    allow: EVERYONE,
    anonymous: 200,
    foreign: 200,
  },
  {
    name: 'GET /companies/{id}',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/companies/${x.company.id}` }),
    ok: 200,
    allow: MEMBERS,
    anonymous: 404,
  },
  {
    name: 'PATCH /companies/{id}',
    method: 'PATCH',
    build: (_w, x) => ({ path: `${V1}/companies/${x.company.id}`, body: { name: x.company.name } }),
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['member', 'orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'PUT /companies/{id}',
    method: 'PUT',
    build: (_w, x) => ({ path: `${V1}/companies/${x.company.id}`, body: { name: x.company.name } }),
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['member', 'orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'DELETE /companies/{id}',
    method: 'DELETE',
    build: async (w, x) => ({ path: `${V1}/companies/${(await freshCompany(w, x)).company.id}` }),
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['member', 'orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'GET /companies/{id}/members',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/companies/${x.company.id}/members` }),
    ok: 200,
    allow: MEMBERS,
    anonymous: 401,
  },
  {
    name: 'POST /companies/{id}/members',
    method: 'POST',
    build: (w, x) => ({
      path: `${V1}/companies/${x.company.id}/members`,
      body: { email: email(w), role: 'member' },
    }),
    ok: 201,
    allow: COMPANY_MANAGERS,
    forbid: ['member', 'orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'PATCH /companies/{id}/members/{userId}',
    method: 'PATCH',
    build: async (w, x) => ({
      path: `${V1}/companies/${x.company.id}/members/${await spareMember(w, x)}`,
      body: { role: 'admin' },
    }),
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['member', 'orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'DELETE /companies/{id}/members/{userId}',
    method: 'DELETE',
    build: async (w, x) => ({
      path: `${V1}/companies/${x.company.id}/members/${await spareMember(w, x)}`,
    }),
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['member', 'orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'GET /invitations?companyId=',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/invitations?companyId=${x.company.id}` }),
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['member', 'orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'DELETE /invitations/{id}',
    method: 'DELETE',
    build: async (w, x) => {
      const made = await svc(w).addMember(
        x.owner.user,
        'company',
        x.company.id,
        { email: email(w), role: 'member' },
        META,
      );
      return { path: `${V1}/invitations/${made.kind === 'invitation' ? made.invitation.id : ''}` };
    },
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['member', 'orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  // ── organizations ──
  {
    name: 'GET /organizations?companyId=',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/organizations?companyId=${x.company.id}` }),
    ok: 200,
    allow: MEMBERS,
    anonymous: 401,
  },
  {
    name: 'GET /organizations/{id}',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/organizations/${x.organization.id}` }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'GET /organizations/{slug}',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/organizations/${x.organization.slug}` }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'POST /organizations',
    method: 'POST',
    build: (w, x) => ({
      path: `${V1}/organizations`,
      body: { companyId: x.company.id, name: w.unique('Org') },
    }),
    ok: 201,
    allow: COMPANY_MANAGERS,
    forbid: ['member', 'orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'PATCH /organizations/{id}',
    method: 'PATCH',
    build: (_w, x) => ({
      path: `${V1}/organizations/${x.organization.id}`,
      body: { name: x.organization.name },
    }),
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'DELETE /organizations/{id}',
    method: 'DELETE',
    build: async (w, x) => ({
      path: `${V1}/organizations/${(await freshOrganization(w, x, x.company.id)).id}`,
    }),
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'GET /organizations/{id}/members',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/organizations/${x.organization.id}/members` }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'POST /organizations/{id}/members',
    method: 'POST',
    build: (w, x) => ({
      path: `${V1}/organizations/${x.organization.id}/members`,
      body: { email: email(w), role: 'member' },
    }),
    ok: 201,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  // ── teams ──
  {
    name: 'GET /teams?organizationId=',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/teams?organizationId=${x.organization.id}` }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'GET /teams?companyId=',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/teams?companyId=${x.company.id}` }),
    ok: 200,
    allow: MEMBERS,
    anonymous: 401,
  },
  {
    name: 'GET /teams/{id}',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/teams/${x.team.id}` }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'POST /teams',
    method: 'POST',
    build: (w, x) => ({
      path: `${V1}/teams`,
      body: { organizationId: x.organization.id, name: w.unique('Team') },
    }),
    ok: 201,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  {
    name: 'PATCH /teams/{id}',
    method: 'PATCH',
    build: (_w, x) => ({ path: `${V1}/teams/${x.team.id}`, body: { name: x.team.name } }),
    ok: 200,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  {
    name: 'DELETE /teams/{id}',
    method: 'DELETE',
    build: async (w, x) => ({
      path: `${V1}/teams/${(await freshTeam(w, x, x.organization.id)).id}`,
    }),
    ok: 200,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  {
    name: 'GET /teams/{id}/members',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/teams/${x.team.id}/members` }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'POST /teams/{id}/members',
    method: 'POST',
    build: (w, x) => ({
      path: `${V1}/teams/${x.team.id}/members`,
      body: { email: email(w), role: 'member' },
    }),
    ok: 201,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  // ── projects ──
  {
    name: 'GET /projects?teamId=',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/projects?teamId=${x.team.id}` }),
    ok: 200,
    allow: EVERYONE,
    anonymous: 200,
    foreign: 200,
  },
  {
    name: 'GET /projects/{private}',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/projects/${x.project.id}` }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 404,
  },
  {
    name: 'GET /projects/{public}',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/projects/${x.publicProject.id}` }),
    ok: 200,
    allow: EVERYONE,
    anonymous: 200,
    foreign: 200,
  },
  {
    name: 'POST /projects',
    method: 'POST',
    build: (w, x) => ({
      path: `${V1}/projects`,
      body: { teamId: x.team.id, name: w.unique('Project') },
    }),
    ok: 201,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'PATCH /projects/{id}',
    method: 'PATCH',
    build: (_w, x) => ({ path: `${V1}/projects/${x.project.id}`, body: { description: 'edited' } }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'DELETE /projects/{id}',
    method: 'DELETE',
    build: async (w, x) => {
      const p = await svc(w).createProject(
        x.owner.user,
        { teamId: Number(x.team.id), name: w.unique('Doomed') },
        META,
      );
      return { path: `${V1}/projects/${p.id}` };
    },
    ok: 200,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  // ── memberships below the company ──
  {
    name: 'PATCH /organizations/{id}/members/{userId}',
    method: 'PATCH',
    build: async (w, x) => ({
      path: `${V1}/organizations/${x.organization.id}/members/${await spareIn(w, x, 'organization')}`,
      body: { role: 'admin' },
    }),
    ok: 200,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  {
    name: 'DELETE /organizations/{id}/members/{userId}',
    method: 'DELETE',
    build: async (w, x) => ({
      path: `${V1}/organizations/${x.organization.id}/members/${await spareIn(w, x, 'organization')}`,
    }),
    ok: 200,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  {
    name: 'PATCH /teams/{id}/members/{userId}',
    method: 'PATCH',
    build: async (w, x) => ({
      path: `${V1}/teams/${x.team.id}/members/${await spareIn(w, x, 'team')}`,
      body: { role: 'maintainer' },
    }),
    ok: 200,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  {
    name: 'DELETE /teams/{id}/members/{userId}',
    method: 'DELETE',
    build: async (w, x) => ({
      path: `${V1}/teams/${x.team.id}/members/${await spareIn(w, x, 'team')}`,
    }),
    ok: 200,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  // ── PUT is PATCH's alias everywhere ──
  {
    name: 'PUT /organizations/{id}',
    method: 'PUT',
    build: (_w, x) => ({
      path: `${V1}/organizations/${x.organization.id}`,
      body: { name: x.organization.name },
    }),
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'PUT /teams/{id}',
    method: 'PUT',
    build: (_w, x) => ({ path: `${V1}/teams/${x.team.id}`, body: { name: x.team.name } }),
    ok: 200,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  {
    name: 'PUT /projects/{id}',
    method: 'PUT',
    build: (_w, x) => ({ path: `${V1}/projects/${x.project.id}`, body: { description: 'put' } }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  // ── manifests: another door into the same rules ──
  {
    name: 'POST /iac/apply (Organization)',
    method: 'POST',
    build: (w, x) => ({
      path: `${V1}/iac/apply`,
      body: manifest('Organization', w.unique('iac').replace(/\W+/g, '-'), {
        companyID: x.company.id,
      }),
    }),
    ok: 200,
    allow: COMPANY_MANAGERS,
    forbid: ['member', 'orgAdmin', 'teamMember'],
    anonymous: 401,
  },
  {
    name: 'POST /iac/apply (Project)',
    method: 'POST',
    build: (w, x) => ({
      path: `${V1}/iac/apply`,
      body: manifest('Project', w.unique('iac').replace(/\W+/g, '-'), { teamID: x.team.id }),
    }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'GET /iac/Organization/{name}',
    method: 'GET',
    build: (_w, x) => ({
      path: `${V1}/iac/Organization/${x.organization.slug}?companyID=${x.company.id}`,
    }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'GET /iac/Team/{name}',
    method: 'GET',
    build: (_w, x) => ({
      path: `${V1}/iac/Team/${x.team.slug}?organizationID=${x.organization.id}`,
    }),
    ok: 200,
    allow: ORG_READERS,
    anonymous: 401,
  },
  {
    name: 'DELETE /iac/Project/{name}',
    method: 'DELETE',
    build: async (w, x) => {
      const p = await svc(w).createProject(
        x.owner.user,
        { teamId: Number(x.team.id), name: w.unique('Iac Doomed') },
        META,
      );
      return { path: `${V1}/iac/Project/${p.slug}?teamID=${x.team.id}` };
    },
    ok: 200,
    allow: ORG_MANAGERS,
    forbid: ['teamMember'],
    anonymous: 401,
  },
  {
    name: 'GET /iac/export',
    method: 'GET',
    build: (_w, x) => ({ path: `${V1}/iac/export?companyID=${x.company.id}` }),
    ok: 200,
    allow: MEMBERS,
    anonymous: 401,
  },
];
