import { asc, desc, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

export interface ListQuery {
  page: number;
  limit: number;
  /** `field` or `-field`; the route's zod enum restricts it to the sortable fields. */
  sort?: string;
}

/** ORDER BY for `?sort=`, always ending with the id so pages are stable. */
export function orderBy(
  sort: string | undefined,
  columns: Record<string, PgColumn>,
  fallback: string,
  id: PgColumn,
): SQL[] {
  const field = (sort ?? fallback).replace(/^-/, '');
  const column = columns[field] ?? columns[fallback]!;
  const direction = sort?.startsWith('-') ? desc : asc;
  return [direction(column), direction(id)];
}

export const offsetOf = (q: ListQuery) => (q.page - 1) * q.limit;

/** LIKE pattern for a "contains" filter, with the wildcards of the input escaped. */
export const containsPattern = (s: string) => `%${s.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
