import { recordAudit } from '../audit/audit-service';
import type { WriteCall } from './context';
import { forgetMemo } from './memo';

/**
 * Audit row in the caller's transaction: it commits, or rolls back, with the change. Every
 * tenancy write ends here, so this is also where the transaction's memo forgets what it read:
 * the next read sees the change, and no write path has to remember to say so.
 */
export function audit(
  call: WriteCall,
  action: string,
  resourceType: string,
  resourceId: string | number,
  details?: Record<string, unknown>,
) {
  forgetMemo(call.tx);
  return recordAudit(call.tx, {
    action,
    userId: call.actor.id,
    resourceType,
    resourceId,
    details,
    ...call.meta,
  });
}
