import { and, count, eq, ilike, isNull, type SQL } from 'drizzle-orm';
import { type TeamRow, teams } from '../../db/schema';
import type { AuthUser } from '../auth/types';
import { audit } from './audit';
import { softDeleteTeam } from './cascade';
import {
  type Actor,
  changedFields,
  now,
  type Queryable,
  requestedChanges,
  slugify,
  uniquely,
  type WriteCall,
} from './context';
import { containsPattern, type ListQuery, offsetOf, orderBy } from './listing';
import { forgetMemo } from './memo';
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

const TAKEN = 'A team with this slug already exists in the organization';
const AUDITED = ['name', 'slug'] as const;

export async function createTeam(call: WriteCall, input: TeamInput): Promise<TeamRow> {
  const { row: org } = await resolveOrganization(
    call.tx,
    call.actor,
    input.organizationId,
    'team.create',
  );
  const slug = input.slug ?? slugify(input.name);
  const row = await uniquely(TAKEN, async () => {
    const [created] = await call.tx
      .insert(teams)
      .values({ organizationId: org.id, companyId: org.companyId, name: input.name, slug })
      .returning();
    return created!;
  });
  await audit(call, 'team.created', 'team', row.id, {
    organizationId: String(org.id),
    after: { name: row.name, slug: row.slug },
  });
  return row;
}

export async function updateTeam(
  call: WriteCall,
  id: number,
  patch: TeamPatch,
): Promise<{ row: TeamRow; changed: boolean }> {
  const { row: before } = await resolveTeam(call.tx, call.actor, id, 'team.update');
  const changes = requestedChanges(before, patch, AUDITED);
  forgetMemo(call.tx);
  if (Object.keys(changes).length === 0) return { row: before, changed: false };
  const after = await uniquely(TAKEN, async () => {
    const [row] = await call.tx
      .update(teams)
      .set({ ...changes, updatedAt: now(call.ctx) })
      .where(and(eq(teams.id, id), eq(teams.companyId, before.companyId)))
      .returning();
    return row!;
  });
  await audit(call, 'team.updated', 'team', id, changedFields(before, after, AUDITED));
  return { row: after, changed: true };
}

export async function deleteTeam(call: WriteCall, id: number) {
  const { row } = await resolveTeam(call.tx, call.actor, id, 'team.delete');
  await softDeleteTeam(call, row.companyId, id);
  await audit(call, 'team.deleted', 'team', id, {
    organizationId: String(row.organizationId),
    before: { name: row.name, slug: row.slug },
  });
}

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
