import { and, count, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client';
import { auditLogs } from '../../db/schema';

export interface AuditEntry {
  action: string;
  userId?: number | null;
  resourceType?: string;
  resourceId?: string | number;
  details?: Record<string, unknown>;
  ip?: string;
  userAgent?: string;
}

/** Who did it and from where: taken from the request by the route, passed down to services. */
export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

export interface AuditQuery {
  page: number;
  limit: number;
  action?: string;
  userId?: number;
  from?: Date;
  to?: Date;
}

/** Writes go through the caller's transaction so the row commits (or not) with the change. */
export function recordAudit(q: Queryable, entry: AuditEntry) {
  return q.insert(auditLogs).values({
    action: entry.action,
    userId: entry.userId ?? null,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId === undefined ? undefined : String(entry.resourceId),
    details: entry.details,
    ip: entry.ip,
    userAgent: entry.userAgent?.slice(0, 512),
  });
}

export async function listAuditLogs(db: Database, query: AuditQuery) {
  const filters: SQL[] = [];
  if (query.action) filters.push(eq(auditLogs.action, query.action));
  if (query.userId !== undefined) filters.push(eq(auditLogs.userId, query.userId));
  if (query.from) filters.push(gte(auditLogs.createdAt, query.from));
  if (query.to) filters.push(lte(auditLogs.createdAt, query.to));
  const where = filters.length > 0 ? and(...filters) : undefined;
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(auditLogs)
      .where(where)
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(query.limit)
      .offset((query.page - 1) * query.limit),
    db.select({ value: count() }).from(auditLogs).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}
