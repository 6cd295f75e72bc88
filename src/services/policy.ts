import type { UserRole } from '../db/schema';
import type { AuthUser } from './auth/types';

/**
 * The one place that decides who may do what. Routes and services ask here; nothing else
 * compares roles.
 *
 * Platform roles, strongest first:
 *   admin       — everything, everywhere, including the admin API
 *   manager     — creates companies and manages the companies/organizations they belong to
 *   team_member — team-level access to projects and resources
 */
export const ROLE_RANK: Record<UserRole, number> = { admin: 3, manager: 2, team_member: 1 };

export function hasRoleAtLeast(user: Pick<AuthUser, 'role'>, role: UserRole): boolean {
  return ROLE_RANK[user.role] >= ROLE_RANK[role];
}

export function isAdmin(user: Pick<AuthUser, 'role'>): boolean {
  return user.role === 'admin';
}

/** Users API: admins see everyone; anyone else only themselves (others are 404, not 403). */
export function canReadUser(actor: AuthUser, targetId: number): boolean {
  return isAdmin(actor) || actor.id === targetId;
}

/** Fields a caller may change on a user record. Anything else in a body is refused. */
export function writableUserFields(actor: AuthUser, targetId: number): ReadonlySet<string> {
  if (isAdmin(actor)) return new Set(['name', 'avatar', 'role', 'disabled']);
  if (actor.id === targetId) return new Set(['name', 'avatar']);
  return new Set();
}

/**
 * Clearing someone's second factor (lost phone and recovery codes) is for admins, and never
 * their own: an admin turns theirs off with a code like everyone, so a stolen admin session
 * cannot strip the admin's own second factor.
 */
export function canResetSecondFactor(actor: AuthUser, targetId: number): boolean {
  return isAdmin(actor) && actor.id !== targetId;
}

/* ───────────────────────── Tenancy ─────────────────────────
 * Companies → organizations → teams → projects. Membership rows give a role at each level;
 * this section turns them into effective levels and answers every tenancy question. The table
 * in docs/permissions.md is rendered from TENANCY_RULES (test/tenancy/permissions-doc.test.ts
 * fails when they differ), and the SQL list filters in services/tenancy/scope.ts use the role
 * sets exported here.
 */

export type MemberRole = 'owner' | 'admin' | 'member';
export type TeamRole = 'maintainer' | 'member';

/** Who the caller is relative to one resource, as loaded by services/tenancy/standing.ts. */
export interface Standing {
  platform: UserRole | 'anonymous';
  company: MemberRole | null;
  organization: MemberRole | null;
  team: TeamRole | null;
  /** The caller created the project in question. */
  creator?: boolean;
  /** The project in question is public. */
  publicProject?: boolean;
}

export const MEMBER_RANK: Record<MemberRole, number> = { owner: 3, admin: 2, member: 1 };
export const TEAM_RANK: Record<TeamRole, number> = { maintainer: 2, member: 1 };
/** Membership roles that manage the level they are held at. */
export const MANAGING_ROLES: readonly MemberRole[] = ['owner', 'admin'];

/**
 * A platform manager manages the companies and organizations they belong to: a plain
 * membership counts as admin for them. A platform admin is owner everywhere.
 */
export function effectiveCompanyRole(s: Standing): MemberRole | null {
  if (s.platform === 'admin') return 'owner';
  if (s.company === 'member' && s.platform === 'manager') return 'admin';
  return s.company;
}

/** Company owners/admins hold the same role in every organization of their company. */
export function effectiveOrganizationRole(s: Standing): MemberRole | null {
  const company = effectiveCompanyRole(s);
  const fromCompany = company && company !== 'member' ? company : null;
  let own = s.organization;
  if (own === 'member' && s.platform === 'manager') own = 'admin';
  if (!fromCompany) return own;
  if (!own) return fromCompany;
  return MEMBER_RANK[fromCompany] >= MEMBER_RANK[own] ? fromCompany : own;
}

/** Organization owners/admins maintain every team of their organization. */
export function effectiveTeamRole(s: Standing): TeamRole | null {
  const org = effectiveOrganizationRole(s);
  if (org === 'owner' || org === 'admin') return 'maintainer';
  return s.team;
}

const managesCompany = (s: Standing) => {
  const r = effectiveCompanyRole(s);
  return r === 'owner' || r === 'admin';
};
const managesOrganization = (s: Standing) => {
  const r = effectiveOrganizationRole(s);
  return r === 'owner' || r === 'admin';
};
const signedIn = (s: Standing) => s.platform !== 'anonymous';

export interface TenancyRule {
  /** Human wording for docs/permissions.md. */
  label: string;
  allows(s: Standing): boolean;
}

/**
 * Every tenancy action and who may perform it. A caller who fails the `*.read` rule of a
 * resource gets 404 for everything on it; one who can read but fails another rule gets 403.
 */
export const TENANCY_RULES = {
  'company.list': { label: 'list companies (id + name directory)', allows: () => true },
  'company.create': { label: 'create a company (becomes owner)', allows: signedIn },
  'company.read': { label: 'read a company', allows: (s) => effectiveCompanyRole(s) !== null },
  'company.readFull': {
    label: 'see billing fields (stripeCustomerId)',
    allows: managesCompany,
  },
  'company.update': { label: 'update a company', allows: managesCompany },
  'company.delete': { label: 'delete a company (cascades)', allows: managesCompany },
  'company.setTokens': { label: 'set `tokens` directly', allows: (s) => s.platform === 'admin' },
  'company.members.read': {
    label: 'list company members',
    allows: (s) => effectiveCompanyRole(s) !== null,
  },
  'company.members.manage': { label: 'add/change/remove company members', allows: managesCompany },
  'organization.create': { label: 'create an organization', allows: managesCompany },
  'organization.read': {
    label: 'read an organization',
    allows: (s) => effectiveOrganizationRole(s) !== null,
  },
  'organization.update': {
    label: 'update an organization',
    allows: (s) => managesCompany(s) || effectiveOrganizationRole(s) === 'owner',
  },
  'organization.delete': { label: 'delete an organization (cascades)', allows: managesCompany },
  'organization.members.read': {
    label: 'list organization members',
    allows: (s) => effectiveOrganizationRole(s) !== null,
  },
  'organization.members.manage': {
    label: 'add/change/remove organization members',
    allows: managesOrganization,
  },
  'team.create': { label: 'create a team', allows: managesOrganization },
  'team.read': { label: 'read a team', allows: (s) => effectiveTeamRole(s) !== null },
  'team.update': { label: 'update a team', allows: managesOrganization },
  'team.delete': { label: 'delete a team (cascades)', allows: managesOrganization },
  'team.members.read': {
    label: 'list team members',
    allows: (s) => effectiveTeamRole(s) !== null,
  },
  'team.members.manage': {
    label: 'add/change/remove team members',
    allows: (s) => effectiveTeamRole(s) === 'maintainer',
  },
  'project.read': {
    label: 'read a project (public ones: anyone)',
    allows: (s) => s.publicProject === true || effectiveTeamRole(s) !== null,
  },
  'project.create': {
    label: 'create a project in the team',
    allows: (s) => effectiveTeamRole(s) !== null,
  },
  'project.update': { label: 'update a project', allows: (s) => effectiveTeamRole(s) !== null },
  'project.delete': {
    label: 'delete a project (its creator, or a maintainer)',
    allows: (s) =>
      effectiveTeamRole(s) === 'maintainer' ||
      (s.creator === true && effectiveTeamRole(s) !== null),
  },
  'invitation.accept': {
    label: 'accept an invitation addressed to your email',
    allows: signedIn,
  },
} satisfies Record<string, TenancyRule>;

export type TenancyAction = keyof typeof TENANCY_RULES;

export function can(s: Standing, action: TenancyAction): boolean {
  return TENANCY_RULES[action].allows(s);
}

/** The roles a caller may hand out at a level: never one above their own. */
export function canGrantMemberRole(granter: MemberRole | null, role: MemberRole): boolean {
  return granter !== null && MEMBER_RANK[granter] >= MEMBER_RANK[role];
}

export function canGrantTeamRole(granter: TeamRole | null, role: TeamRole): boolean {
  return granter !== null && TEAM_RANK[granter] >= TEAM_RANK[role];
}

/** Fields of a company a caller may write; anything else in a body is refused (mass assignment). */
export function writableCompanyFields(s: Standing): ReadonlySet<string> {
  const fields = new Set<string>();
  if (can(s, 'company.update')) {
    fields.add('name');
    fields.add('stripeCustomerId');
  }
  if (can(s, 'company.setTokens')) fields.add('tokens');
  return fields;
}

/* ───────────────────── Company-certificate service principals ─────────────────────
 * A token obtained with a company certificate (services/tokens/certificates.ts) acts as that
 * certificate's service account, whose only membership is admin of its company: the tenancy
 * rules above already confine it there. This hook takes away what a company admin could do
 * but such a token must not: manage members or invitations, create other companies, use IaC
 * (which can create companies), or touch anything outside the tenancy API (its own tokens,
 * users, admin API). Checked for every request by http/middleware/token-scopes.ts.
 */
const SERVICE_PRINCIPAL_AREAS = ['companies', 'organizations', 'teams', 'projects', 'graph'];

export function servicePrincipalMayRequest(
  companyId: string,
  method: string,
  path: string,
): boolean {
  const safe = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  if (path === '/api/public/v1/auth/me') return safe;
  const match = /^\/api\/public\/v1\/([a-z]+)(\/.*)?$/.exec(path);
  if (!match || !SERVICE_PRINCIPAL_AREAS.includes(match[1]!)) return false;
  const rest = match[2] ?? '';
  if (/\/(members|invitations)(\/|$)/.test(rest)) return safe;
  if (match[1] === 'companies') {
    // Listing is filtered by membership; writes only to its own company, never a new one.
    if (rest === '' || rest === '/') return safe;
    if (!rest.startsWith(`/${companyId}`)) return safe;
  }
  return true;
}
