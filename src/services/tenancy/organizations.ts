import { and, count, eq, ilike, isNull, type SQL } from 'drizzle-orm';
import { type OrganizationRow, organizations } from '../../db/schema';
import type { AuthUser } from '../auth/types';
import { audit } from './audit';
import { softDeleteOrganization } from './cascade';
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

const TAKEN = 'An organization with this slug already exists in the company';
const AUDITED = ['name', 'slug'] as const;

export async function createOrganization(
  call: WriteCall,
  input: OrganizationInput,
): Promise<OrganizationRow> {
  await resolveCompany(call.tx, call.actor, input.companyId, 'organization.create');
  const slug = input.slug ?? slugify(input.name);
  const row = await uniquely(TAKEN, async () => {
    const [created] = await call.tx
      .insert(organizations)
      .values({ companyId: input.companyId, name: input.name, slug })
      .returning();
    return created!;
  });
  await audit(call, 'organization.created', 'organization', row.id, {
    companyId: row.companyId,
    after: { name: row.name, slug: row.slug },
  });
  return row;
}

export async function updateOrganization(
  call: WriteCall,
  id: number,
  patch: OrganizationPatch,
): Promise<{ row: OrganizationRow; changed: boolean }> {
  const { row: before } = await resolveOrganization(call.tx, call.actor, id, 'organization.update');
  const changes = requestedChanges(before, patch, AUDITED);
  forgetMemo(call.tx);
  if (Object.keys(changes).length === 0) return { row: before, changed: false };
  const after = await uniquely(TAKEN, async () => {
    const [row] = await call.tx
      .update(organizations)
      .set({ ...changes, updatedAt: now(call.ctx) })
      .where(and(eq(organizations.id, id), eq(organizations.companyId, before.companyId)))
      .returning();
    return row!;
  });
  await audit(
    call,
    'organization.updated',
    'organization',
    id,
    changedFields(before, after, AUDITED),
  );
  return { row: after, changed: true };
}

export async function deleteOrganization(call: WriteCall, id: number) {
  const { row } = await resolveOrganization(call.tx, call.actor, id, 'organization.delete');
  await softDeleteOrganization(call, row.companyId, id);
  await audit(call, 'organization.deleted', 'organization', id, {
    companyId: row.companyId,
    before: { name: row.name, slug: row.slug },
  });
}

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
