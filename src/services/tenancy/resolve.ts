import { and, eq, inArray, isNull } from 'drizzle-orm';
import {
  type CompanyRow,
  companies,
  type OrganizationRow,
  organizations,
  type ProjectRow,
  projects,
  type TeamRow,
  teams,
} from '../../db/schema';
import { ForbiddenError, NotFoundError } from '../../lib/errors';
import { can, type Standing, type TenancyAction } from '../policy';
import type { Actor, Queryable } from './context';
import { memoized } from './memo';
import { loadStanding } from './standing';

/**
 * The only way services reach one tenancy row by id: load it (live rows only), load the
 * caller's standing along its path, and ask the policy. A caller who may not read it gets the
 * same 404 as for an id that does not exist; one who may read but not act gets 403.
 */

export interface Resolved<T> {
  row: T;
  standing: Standing;
}

function authorize(standing: Standing, what: string, read: TenancyAction, act?: TenancyAction) {
  if (!can(standing, read)) throw new NotFoundError(what);
  if (act && act !== read && !can(standing, act)) throw new ForbiddenError();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function resolveCompany(
  q: Queryable,
  actor: Actor,
  id: string,
  act?: TenancyAction,
  lock = false,
): Promise<Resolved<CompanyRow>> {
  if (!UUID.test(id)) throw new NotFoundError('Company');
  // tenant-filter: the id is the tenant; returned only after the policy allows it.
  const query = q
    .select()
    .from(companies)
    .where(and(eq(companies.id, id), isNull(companies.deletedAt)));
  const [row] = lock
    ? await query.for('update')
    : [await memoized(q, `company:${id}`, async () => (await query)[0])];
  if (!row) throw new NotFoundError('Company');
  const standing = await loadStanding(q, actor, { companyId: row.id });
  authorize(standing, 'Company', 'company.read', act);
  return { row, standing };
}

export async function resolveOrganization(
  q: Queryable,
  actor: Actor,
  id: number,
  act?: TenancyAction,
): Promise<Resolved<OrganizationRow>> {
  // tenant-filter: primary key; returned only after loadStanding + policy allow it (404).
  const row = await memoized(q, `organization:${id}`, async () => {
    const [found] = await q
      .select()
      .from(organizations)
      .where(and(eq(organizations.id, id), isNull(organizations.deletedAt)));
    return found;
  });
  if (!row) throw new NotFoundError('Organization');
  const standing = await loadStanding(q, actor, {
    companyId: row.companyId,
    organizationId: row.id,
  });
  authorize(standing, 'Organization', 'organization.read', act);
  return { row, standing };
}

export async function resolveTeam(
  q: Queryable,
  actor: Actor,
  id: number,
  act?: TenancyAction,
): Promise<Resolved<TeamRow>> {
  // tenant-filter: primary key; returned only after loadStanding + policy allow it (404).
  const row = await memoized(q, `team:${id}`, async () => {
    const [found] = await q
      .select()
      .from(teams)
      .where(and(eq(teams.id, id), isNull(teams.deletedAt)));
    return found;
  });
  if (!row) throw new NotFoundError('Team');
  const standing = await loadStanding(q, actor, {
    companyId: row.companyId,
    organizationId: row.organizationId,
    teamId: row.id,
  });
  authorize(standing, 'Team', 'team.read', act);
  return { row, standing };
}

export async function resolveProject(
  q: Queryable,
  actor: Actor,
  id: number,
  act?: TenancyAction,
): Promise<Resolved<ProjectRow>> {
  // tenant-filter: primary key; returned only after loadStanding + policy allow it (404).
  const [row] = await q
    .select()
    .from(projects)
    .where(and(eq(projects.id, id), isNull(projects.deletedAt)));
  if (!row) throw new NotFoundError('Project');
  const standing = await loadStanding(q, actor, {
    companyId: row.companyId,
    organizationId: row.organizationId,
    teamId: row.teamId,
    creatorId: row.createdBy,
    publicProject: row.visibility === 'public',
  });
  authorize(standing, 'Project', 'project.read', act);
  return { row, standing };
}

/** An organization by slug among the companies the caller belongs to (or any, for admins). */
export async function resolveOrganizationBySlug(
  q: Queryable,
  actor: Actor,
  slug: string,
  companyId: string | undefined,
  visibleCompanyIds: (q: Queryable, actor: Actor) => Promise<string[] | 'all'>,
): Promise<Resolved<OrganizationRow>> {
  const scope = await visibleCompanyIds(q, actor);
  const filters = [
    eq(organizations.slug, slug),
    isNull(organizations.deletedAt),
    companyId ? eq(organizations.companyId, companyId) : undefined,
    scope === 'all' ? undefined : inArray(organizations.companyId, scope),
  ];
  const rows = await q
    .select()
    .from(organizations)
    .where(and(...filters))
    .limit(50);
  for (const row of rows) {
    const standing = await loadStanding(q, actor, {
      companyId: row.companyId,
      organizationId: row.id,
    });
    if (can(standing, 'organization.read')) return { row, standing };
  }
  throw new NotFoundError('Organization');
}
