import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { identityRoutes } from './identities';
import { loginRoute } from './login';
import { logoutRoute } from './logout';
import { meRoute } from './me';
import { mfaRoutes } from './mfa';
import { passwordRoute } from './password';
import { providersRoute } from './providers';
import { registerRoute } from './register';
import { sessionRoutes } from './sessions';

/** Mounted at /api/public/v1/auth. */
export function authRoutes(deps: RouteDeps) {
  return router()
    .route('/', registerRoute(deps))
    .route('/', loginRoute(deps))
    .route('/', logoutRoute(deps))
    .route('/', meRoute())
    .route('/', passwordRoute(deps))
    .route('/', mfaRoutes(deps))
    .route('/', providersRoute(deps))
    .route('/', identityRoutes(deps))
    .route('/', sessionRoutes(deps));
}
