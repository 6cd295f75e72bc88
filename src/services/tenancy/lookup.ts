import { and, asc, eq, isNull, type SQL } from 'drizzle-orm';
import { companies, organizations, projects, teams } from '../../db/schema';
import type { AuthUser } from '../auth/types';
import { liveIn } from './children';
import type { Queryable } from './context';
import { companyFilter, organizationFilter, projectFilter, teamFilter } from './scope';

/**
 * Lookups by name for manifests (IaC), which address objects by `metadata.name` within a
 * parent. Each is confined to one company (or, for companies, to those the caller belongs
 * to); what they return still goes through resolve*() and the policy before anyone acts on it.
 */

/** Live companies with this name among the caller's (all companies for platform admins). */
export function companiesNamed(q: Queryable, actor: AuthUser, name: string) {
  return q
    .select()
    .from(companies)
    .where(
      and(
        eq(companies.name, name),
        isNull(companies.deletedAt),
        companyFilter(q, actor, companies.id),
      ),
    )
    .orderBy(asc(companies.createdAt))
    .limit(10);
}

export async function organizationBySlug(q: Queryable, companyId: string, slug: string) {
  const [row] = await q
    .select()
    .from(organizations)
    .where(liveIn(organizations, companyId, eq(organizations.slug, slug)));
  return row;
}

export async function teamBySlug(
  q: Queryable,
  companyId: string,
  organizationId: number,
  slug: string,
) {
  const [row] = await teamsOf(q, companyId, organizationId, eq(teams.slug, slug));
  return row;
}

export async function projectBySlug(q: Queryable, companyId: string, teamId: number, slug: string) {
  const [row] = await projectsOf(q, companyId, teamId, eq(projects.slug, slug));
  return row;
}

/** Every live organization, team and project of one company that the caller may read (export). */
export async function companyTree(q: Queryable, actor: AuthUser, companyId: string) {
  const [orgs, teamRows, projectRows] = await Promise.all([
    q
      .select()
      .from(organizations)
      .where(
        liveIn(
          organizations,
          companyId,
          organizationFilter(q, actor, {
            companyId: organizations.companyId,
            organizationId: organizations.id,
          }),
        ),
      )
      .orderBy(asc(organizations.id)),
    q
      .select()
      .from(teams)
      .where(
        liveIn(
          teams,
          companyId,
          teamFilter(q, actor, {
            companyId: teams.companyId,
            organizationId: teams.organizationId,
            teamId: teams.id,
          }),
        ),
      )
      .orderBy(asc(teams.id)),
    q
      .select()
      .from(projects)
      .where(liveIn(projects, companyId, projectFilter(q, actor)))
      .orderBy(asc(projects.id)),
  ]);
  return { organizations: orgs, teams: teamRows, projects: projectRows };
}

/** The organization a readable child hangs off (a public project's), for rendering its slug. */
export async function parentOrganization(q: Queryable, companyId: string, organizationId: number) {
  const [row] = await q
    .select()
    .from(organizations)
    .where(and(eq(organizations.companyId, companyId), eq(organizations.id, organizationId)));
  return row;
}

/** The live organizations of one company (manifests resolve many children of one parent). */
export function organizationsOf(q: Queryable, companyId: string) {
  return q.select().from(organizations).where(liveIn(organizations, companyId));
}

export function teamsOf(q: Queryable, companyId: string, organizationId: number, ...where: SQL[]) {
  const ofOrganization = eq(teams.organizationId, organizationId);
  return q
    .select()
    .from(teams)
    .where(liveIn(teams, companyId, ofOrganization, ...where));
}

export function projectsOf(q: Queryable, companyId: string, teamId: number, ...where: SQL[]) {
  return q
    .select()
    .from(projects)
    .where(liveIn(projects, companyId, eq(projects.teamId, teamId), ...where));
}
