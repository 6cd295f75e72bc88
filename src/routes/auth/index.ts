import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { cliLoginRoute } from './cli-login';
import { cliLogoutRoute } from './cli-logout';
import { identityRoutes } from './identities';
import { loginRoute } from './login';
import { logoutRoute } from './logout';
import { meRoute } from './me';
import { mfaRoutes } from './mfa';
import { passwordRoute } from './password';
import { providersRoute } from './providers';
import { registerRoute } from './register';
import { rotateRoute } from './rotate';
import { sessionRoutes } from './sessions';
import { tokenRoutes } from './tokens';

/** Mounted at /api/public/v1/auth: sessions, the account, MFA, identities and tokens. */
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
    .route('/', sessionRoutes(deps))
    .route('/', cliLoginRoute(deps))
    .route('/', cliLogoutRoute(deps))
    .route('/', rotateRoute(deps))
    .route('/', tokenRoutes(deps));
}
