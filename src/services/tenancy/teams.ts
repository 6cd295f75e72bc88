import { and, count, eq, ilike, isNull, type SQL } from 'drizzle-orm';
import { type TeamRow, teams } from '../../db/schema';
import type { AuthUser } from '../auth/types';
import { softDeleteTeam } from './cascade';
import { type ChildKind, createChild, deleteChild, updateChild } from './children';
import { type Actor, type Queryable, requestedChanges, slugify, type WriteCall } from './context';
import { containsPattern, type ListQuery, offsetOf, orderBy } from './listing';
import { resolveCompany, resolveOrganization, resolveTeam } from './resolve';
import { teamFilter } from './scope';

export interface TeamInput {
  organizationId: number;
  name: string;
  slug?: string;
}
export interface TeamPatch {
  name?: string;
  slug?: string;
}

export const TEAM: ChildKind<TeamRow> = {
  level: 'team',
  table: teams,
  taken: 'A team with this slug already exists in the organization',
  audited: ['name', 'slug'],
  shownOnCreate: ['name', 'slug'],
  parentOf: (row) => ({ organizationId: String(row.organizationId) }),
  resolve: resolveTeam,
  softDelete: (call, row) => softDeleteTeam(call, row.companyId, row.id),
};

export async function createTeam(call: WriteCall, input: TeamInput) {
  const { row: org } = await resolveOrganization(
    call.tx,
    call.actor,
    input.organizationId,
    'team.create',
  );
  const slug = input.slug ?? slugify(input.name);
  return createChild(call, TEAM, {
    organizationId: org.id,
    companyId: org.companyId,
    name: input.name,
    slug,
  });
}

export async function updateTeam(call: WriteCall, id: number, patch: TeamPatch) {
  const { row: before } = await resolveTeam(call.tx, call.actor, id, 'team.update');
  return updateChild(call, TEAM, before, requestedChanges(before, patch, TEAM.audited));
}

export const deleteTeam = (call: WriteCall, id: number) => deleteChild(call, TEAM, id);

export async function getTeam(q: Queryable, actor: Actor, id: number) {
  return (await resolveTeam(q, actor, id)).row;
}

export interface TeamListQuery extends ListQuery {
  companyId?: string;
  organizationId?: number;
  name?: string;
  slug?: string;
}

const SORTABLE = { name: teams.name, slug: teams.slug, createdAt: teams.createdAt };

/** Teams the caller may read; a parent filter naming a parent they cannot see is a 404. */
export async function listTeams(q: Queryable, actor: AuthUser, query: TeamListQuery) {
  const filters: (SQL | undefined)[] = [
    isNull(teams.deletedAt),
    teamFilter(q, actor, {
      companyId: teams.companyId,
      organizationId: teams.organizationId,
      teamId: teams.id,
    }),
  ];
  if (query.companyId) {
    await resolveCompany(q, actor, query.companyId);
    filters.push(eq(teams.companyId, query.companyId));
  }
  if (query.organizationId !== undefined) {
    await resolveOrganization(q, actor, query.organizationId);
    filters.push(eq(teams.organizationId, query.organizationId));
  }
  if (query.name) filters.push(ilike(teams.name, containsPattern(query.name)));
  if (query.slug) filters.push(eq(teams.slug, query.slug));
  const where = and(...filters);
  const [rows, [total]] = await Promise.all([
    q
      .select()
      .from(teams)
      .where(where)
      .orderBy(...orderBy(query.sort, SORTABLE, 'createdAt', teams.id))
      .limit(query.limit)
      .offset(offsetOf(query)),
    q.select({ value: count() }).from(teams).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}
