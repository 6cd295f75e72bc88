import { and, count, eq, ilike, isNull, type SQL } from 'drizzle-orm';
import { type OrganizationRow, organizations } from '../../db/schema';
import type { AuthUser } from '../auth/types';
import { softDeleteOrganization } from './cascade';
import { type ChildKind, createChild, deleteChild, updateChild } from './children';
import { type Actor, type Queryable, requestedChanges, slugify, type WriteCall } from './context';
import { containsPattern, type ListQuery, offsetOf, orderBy } from './listing';
import { resolveCompany, resolveOrganization } from './resolve';
import { organizationFilter } from './scope';

export interface OrganizationInput {
  companyId: string;
  name: string;
  slug?: string;
}
export interface OrganizationPatch {
  name?: string;
  slug?: string;
}

export const ORGANIZATION: ChildKind<OrganizationRow> = {
  level: 'organization',
  table: organizations,
  taken: 'An organization with this slug already exists in the company',
  audited: ['name', 'slug'],
  shownOnCreate: ['name', 'slug'],
  parentOf: (row) => ({ companyId: row.companyId }),
  resolve: resolveOrganization,
  softDelete: (call, row) => softDeleteOrganization(call, row.companyId, row.id),
};

export async function createOrganization(call: WriteCall, input: OrganizationInput) {
  await resolveCompany(call.tx, call.actor, input.companyId, 'organization.create');
  const slug = input.slug ?? slugify(input.name);
  return createChild(call, ORGANIZATION, { companyId: input.companyId, name: input.name, slug });
}

export async function updateOrganization(call: WriteCall, id: number, patch: OrganizationPatch) {
  const { row: before } = await resolveOrganization(call.tx, call.actor, id, 'organization.update');
  const changes = requestedChanges(before, patch, ORGANIZATION.audited);
  return updateChild(call, ORGANIZATION, before, changes);
}

export const deleteOrganization = (call: WriteCall, id: number) =>
  deleteChild(call, ORGANIZATION, id);

export async function getOrganization(q: Queryable, actor: Actor, id: number) {
  return (await resolveOrganization(q, actor, id)).row;
}

export interface OrganizationListQuery extends ListQuery {
  companyId?: string;
  name?: string;
  slug?: string;
}

const SORTABLE = {
  name: organizations.name,
  slug: organizations.slug,
  createdAt: organizations.createdAt,
};

/** Organizations the caller may read; `?companyId=` of a company they cannot see is a 404. */
export async function listOrganizations(
  q: Queryable,
  actor: AuthUser,
  query: OrganizationListQuery,
) {
  const filters: (SQL | undefined)[] = [
    isNull(organizations.deletedAt),
    organizationFilter(q, actor, {
      companyId: organizations.companyId,
      organizationId: organizations.id,
    }),
  ];
  if (query.companyId) {
    await resolveCompany(q, actor, query.companyId);
    filters.push(eq(organizations.companyId, query.companyId));
  }
  if (query.name) filters.push(ilike(organizations.name, containsPattern(query.name)));
  if (query.slug) filters.push(eq(organizations.slug, query.slug));
  const where = and(...filters);
  const [rows, [total]] = await Promise.all([
    q
      .select()
      .from(organizations)
      .where(where)
      .orderBy(...orderBy(query.sort, SORTABLE, 'createdAt', organizations.id))
      .limit(query.limit)
      .offset(offsetOf(query)),
    q.select({ value: count() }).from(organizations).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}
