import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { deviceCodeRoute } from './device-code';
import { documentOAuthServer } from './docs';
import { revokeRoute } from './revoke';
import { signInRoutes } from './sign-in';
import { tokenEndpointRoute } from './token';

/**
 * Mounted at /oauth: our authorization server's endpoints (token, device/code, revoke), then
 * browser sign-in with an identity provider ({provider}, {provider}/callback). The server's
 * paths are fixed and come first; the sign-in routes skip the reserved ids token, device and
 * revoke (services/oauth/types.ts).
 */
export function oauthRoutes(deps: RouteDeps) {
  const app = router();
  documentOAuthServer(app);
  return app
    .route('/', tokenEndpointRoute(deps))
    .route('/', deviceCodeRoute(deps))
    .route('/', revokeRoute(deps))
    .route('/', signInRoutes(deps));
}
