import { and, eq, inArray, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import {
  companyMembers,
  type MemberRole,
  organizationMembers,
  projects,
  teamMembers,
} from '../../db/schema';
import type { AuthUser } from '../auth/types';
import { MANAGING_ROLES } from '../policy';
import type { Actor, Queryable } from './context';

/**
 * SQL forms of the policy's read rules, for lists. Each helper returns a condition that keeps
 * only rows of tenants the caller belongs to; `undefined` means "no filter" and is returned
 * for platform admins only. test/tenancy/isolation-matrix.test.ts checks that what a list shows
 * is exactly what a get by id allows.
 */

/** A platform manager manages with a plain membership too (policy.effectiveCompanyRole). */
function managingRoles(user: AuthUser): MemberRole[] {
  return user.role === 'manager' ? [...MANAGING_ROLES, 'member'] : [...MANAGING_ROLES];
}

function managedCompanyIds(q: Queryable, user: AuthUser) {
  return q
    .select({ id: companyMembers.companyId })
    .from(companyMembers)
    .where(
      and(eq(companyMembers.userId, user.id), inArray(companyMembers.role, managingRoles(user))),
    );
}

function memberCompanyIds(q: Queryable, user: AuthUser) {
  return q
    .select({ id: companyMembers.companyId })
    .from(companyMembers)
    .where(eq(companyMembers.userId, user.id));
}

function organizationIds(q: Queryable, user: AuthUser, roles?: MemberRole[]) {
  const mine = eq(organizationMembers.userId, user.id);
  return q
    .select({ id: organizationMembers.organizationId })
    .from(organizationMembers)
    .where(roles ? and(mine, inArray(organizationMembers.role, roles)) : mine);
}

function teamIds(q: Queryable, user: AuthUser) {
  return q
    .select({ id: teamMembers.teamId })
    .from(teamMembers)
    .where(eq(teamMembers.userId, user.id));
}

/** Company ids the caller is a member of; 'all' for platform admins. */
export async function visibleCompanyIds(q: Queryable, actor: Actor): Promise<string[] | 'all'> {
  if (!actor) return [];
  if (actor.role === 'admin') return 'all';
  const rows = await memberCompanyIds(q, actor);
  return rows.map((r) => r.id);
}

/** company.read */
export function companyFilter(q: Queryable, actor: AuthUser, companyId: PgColumn): SQL | undefined {
  if (actor.role === 'admin') return undefined;
  return inArray(companyId, memberCompanyIds(q, actor));
}

/** organization.read: members of the organization, managers of its company. */
export function organizationFilter(
  q: Queryable,
  actor: AuthUser,
  cols: { companyId: PgColumn; organizationId: PgColumn },
): SQL | undefined {
  if (actor.role === 'admin') return undefined;
  return or(
    inArray(cols.companyId, managedCompanyIds(q, actor)),
    inArray(cols.organizationId, organizationIds(q, actor)),
  );
}

/** team.read: team members, managers of its organization or company. */
export function teamFilter(
  q: Queryable,
  actor: AuthUser,
  cols: { companyId: PgColumn; organizationId: PgColumn; teamId: PgColumn },
): SQL | undefined {
  if (actor.role === 'admin') return undefined;
  return or(
    inArray(cols.companyId, managedCompanyIds(q, actor)),
    inArray(cols.organizationId, organizationIds(q, actor, managingRoles(actor))),
    inArray(cols.teamId, teamIds(q, actor)),
  );
}

/** project.read: public projects for everyone, plus those of the teams the caller can read. */
export function projectFilter(q: Queryable, actor: Actor): SQL | undefined {
  const isPublic = eq(projects.visibility, 'public');
  if (!actor) return isPublic;
  const team = teamFilter(q, actor, {
    companyId: projects.companyId,
    organizationId: projects.organizationId,
    teamId: projects.teamId,
  });
  return team ? or(isPublic, team) : undefined;
}
