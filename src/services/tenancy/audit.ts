import { recordAudit } from '../audit/audit-service';
import type { WriteCall } from './context';

/** Audit row in the caller's transaction: it commits, or rolls back, with the change. */
export function audit(
  call: WriteCall,
  action: string,
  resourceType: string,
  resourceId: string | number,
  details?: Record<string, unknown>,
) {
  return recordAudit(call.tx, {
    action,
    userId: call.actor.id,
    resourceType,
    resourceId,
    details,
    ...call.meta,
  });
}
