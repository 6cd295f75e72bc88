import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { auditLogRoutes } from './audit-logs';
import { encryptionRoutes } from './encryption-rotate';
import { signingKeyRoutes } from './keys';
import { oauthConfigListRoutes } from './oauth-config';
import { oauthConfigItemRoutes } from './oauth-config-item';

/** Mounted at /api/v1/admin. Every route here is admin-only. */
export function adminRoutes(deps: RouteDeps) {
  return router()
    .route('/', auditLogRoutes(deps))
    .route('/', oauthConfigListRoutes(deps))
    .route('/', oauthConfigItemRoutes(deps))
    .route('/', encryptionRoutes(deps))
    .route('/keys', signingKeyRoutes(deps));
}
