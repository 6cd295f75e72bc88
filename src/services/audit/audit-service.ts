import type { Queryable } from '../../db/client';
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
