import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { deviceCodeRoute } from './device-code';
import { devicePageRoutes } from './device-page';
import { documentOAuthServer } from './docs';
import { revokeRoute } from './revoke';
import { tokenEndpointRoute } from './token';
import { wellKnownRoutes } from './well-known';

export { adminKeyRoutes } from './admin-keys';

/**
 * The OAuth authorization server side, mounted at the root: /oauth/token, /oauth/device/code,
 * /oauth/revoke, /device and /.well-known/*. Only fixed paths (no parameters), so they never
 * shadow the /oauth/{provider} sign-in routes, and those skip the reserved ids token, device
 * and revoke (services/oauth/types.ts).
 */
export function oauthServerRoutes(deps: RouteDeps) {
  const app = router();
  documentOAuthServer(app);
  return app
    .route('/', tokenEndpointRoute(deps))
    .route('/', deviceCodeRoute(deps))
    .route('/', revokeRoute(deps))
    .route('/', devicePageRoutes(deps))
    .route('/', wellKnownRoutes(deps));
}
