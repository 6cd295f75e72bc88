import { and, count, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { auditLogs } from '../../db/schema';

export interface AuditQuery {
  page: number;
  limit: number;
  action?: string;
  userId?: number;
  from?: Date;
  to?: Date;
}

export interface AuditLogDeps {
  db: Database;
}

/** Reading the audit log (GET /api/v1/admin/audit-logs); rows are written by recordAudit. */
export class AuditLog {
  constructor(private readonly deps: AuditLogDeps) {}

  /** Newest first, filtered by action, user and time range. */
  async list(query: AuditQuery) {
    const { db } = this.deps;
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
}
