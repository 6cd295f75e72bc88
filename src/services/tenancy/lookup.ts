import { and, asc, eq, isNull } from 'drizzle-orm';
import { companies, organizations, projects, teams } from '../../db/schema';
import type { AuthUser } from '../auth/types';
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
    .where(
      and(
        eq(organizations.companyId, companyId),
        eq(organizations.slug, slug),
        isNull(organizations.deletedAt),
      ),
    );
  return row;
}

export async function teamBySlug(
  q: Queryable,
  companyId: string,
  organizationId: number,
  slug: string,
) {
  const [row] = await q
    .select()
    .from(teams)
    .where(
      and(
        eq(teams.companyId, companyId),
        eq(teams.organizationId, organizationId),
        eq(teams.slug, slug),
        isNull(teams.deletedAt),
      ),
    );
  return row;
}

export async function projectBySlug(q: Queryable, companyId: string, teamId: number, slug: string) {
  const [row] = await q
    .select()
    .from(projects)
    .where(
      and(
        eq(projects.companyId, companyId),
        eq(projects.teamId, teamId),
        eq(projects.slug, slug),
        isNull(projects.deletedAt),
      ),
    );
  return row;
}

/** Every live organization, team and project of one company that the caller may read (export). */
export async function companyTree(q: Queryable, actor: AuthUser, companyId: string) {
  const [orgs, teamRows, projectRows] = await Promise.all([
    q
      .select()
      .from(organizations)
      .where(
        and(
          eq(organizations.companyId, companyId),
          isNull(organizations.deletedAt),
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
        and(
          eq(teams.companyId, companyId),
          isNull(teams.deletedAt),
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
      .where(
        and(eq(projects.companyId, companyId), isNull(projects.deletedAt), projectFilter(q, actor)),
      )
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
  return q
    .select()
    .from(organizations)
    .where(and(eq(organizations.companyId, companyId), isNull(organizations.deletedAt)));
}

export function teamsOf(q: Queryable, companyId: string, organizationId: number) {
  return q
    .select()
    .from(teams)
    .where(
      and(
        eq(teams.companyId, companyId),
        eq(teams.organizationId, organizationId),
        isNull(teams.deletedAt),
      ),
    );
}

export function projectsOf(q: Queryable, companyId: string, teamId: number) {
  return q
    .select()
    .from(projects)
    .where(
      and(
        eq(projects.companyId, companyId),
        eq(projects.teamId, teamId),
        isNull(projects.deletedAt),
      ),
    );
}
