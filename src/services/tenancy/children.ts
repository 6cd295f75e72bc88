import { and, eq, isNull, type SQL } from 'drizzle-orm';
import type { organizations, projects, teams } from '../../db/schema';
import type { TenancyAction } from '../policy';
import { audit } from './audit';
import {
  type Actor,
  changedFields,
  now,
  type Queryable,
  uniquely,
  type WriteCall,
} from './context';
import type { Resolved } from './resolve';

/*
 * Organizations, teams and projects: what a company contains. They share one shape (a serial
 * id, the company, a name and a slug unique within the parent, soft deletion) and so the steps
 * of creating, updating and deleting one, below. Each module describes its kind once, as a
 * `ChildKind`, and keeps to itself only what differs (its parent, its cascade, a graph).
 */

export type ChildTable = typeof organizations | typeof teams | typeof projects;

type ChildRow = { id: number; companyId: string; name: string; slug: string };

export interface ChildKind<Row extends ChildRow> {
  level: 'organization' | 'team' | 'project';
  table: ChildTable;
  /** The 409 message when the slug is taken within the parent. */
  taken: string;
  /** The fields an update may change, compared in its audit row. */
  audited: readonly (keyof Row & string)[];
  /** The fields a creation's audit row shows. */
  shownOnCreate: readonly (keyof Row & string)[];
  /** The audit detail naming the parent: `{companyId}`, `{organizationId}` or `{teamId}`. */
  parentOf(row: Row): Record<string, string>;
  resolve(q: Queryable, actor: Actor, id: number, act?: TenancyAction): Promise<Resolved<Row>>;
  /** Soft-deletes the row and what it contains, inside the caller's transaction. */
  softDelete(call: WriteCall, row: Row): Promise<void>;
}

/** The live rows of `table` in one company that `where` narrows down. */
export const liveIn = (table: ChildTable, companyId: string, ...where: (SQL | undefined)[]) =>
  and(eq(table.companyId, companyId), isNull(table.deletedAt), ...where);

const pick = <Row>(row: Row, keys: readonly (keyof Row & string)[]) =>
  Object.fromEntries(keys.map((key) => [key, row[key]]));

/** Inserts the row (409 when its slug is taken in the parent) and audits it. */
export async function createChild<Row extends ChildRow>(
  call: WriteCall,
  kind: ChildKind<Row>,
  values: Omit<Row, 'id' | 'createdAt' | 'updatedAt' | 'deletedAt'>,
): Promise<Row> {
  const row = await uniquely(kind.taken, async () => {
    // Drizzle cannot type a statement over a union of tables; `values` is typed by the kind.
    const [created] = await call.tx
      .insert(kind.table)
      .values(values as never)
      .returning();
    return created as unknown as Row;
  });
  await audit(call, `${kind.level}.created`, kind.level, row.id, {
    ...kind.parentOf(row),
    after: pick(row, kind.shownOnCreate),
  });
  return row;
}

/**
 * Writes `changes` (none: nothing happens) to a row the caller was allowed to update, 409 when
 * the new slug is taken, and audits the fields that changed plus `details` of the new row.
 */
export async function updateChild<Row extends ChildRow>(
  call: WriteCall,
  kind: ChildKind<Row>,
  before: Row,
  changes: Partial<Row>,
  details: (after: Row) => Record<string, unknown> = () => ({}),
): Promise<{ row: Row; changed: boolean }> {
  if (Object.keys(changes).length === 0) return { row: before, changed: false };
  const after = await uniquely(kind.taken, async () => {
    const [row] = await call.tx
      .update(kind.table)
      .set({ ...changes, updatedAt: now(call.ctx) } as never)
      .where(and(eq(kind.table.id, before.id), eq(kind.table.companyId, before.companyId)))
      .returning();
    return row as unknown as Row;
  });
  await audit(call, `${kind.level}.updated`, kind.level, before.id, {
    ...changedFields(before, after, kind.audited),
    ...details(after),
  });
  return { row: after, changed: true };
}

/** Deletes a row the caller may delete, with what it contains, and audits it. */
export async function deleteChild<Row extends ChildRow>(
  call: WriteCall,
  kind: ChildKind<Row>,
  id: number,
) {
  const { row } = await kind.resolve(call.tx, call.actor, id, `${kind.level}.delete`);
  await kind.softDelete(call, row);
  await audit(call, `${kind.level}.deleted`, kind.level, id, {
    ...kind.parentOf(row),
    before: { name: row.name, slug: row.slug },
  });
}
