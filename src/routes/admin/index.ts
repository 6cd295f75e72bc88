import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { auditLogRoutes } from './audit-logs';

/** Mounted at /api/v1/admin. Every route here is admin-only. */
export function adminRoutes(deps: RouteDeps) {
  return router().route('/', auditLogRoutes(deps));
}
