import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { cliLoginRoute } from './cli-login';
import { cliLogoutRoute } from './cli-logout';
import { rotateRoute } from './rotate';
import { tokenRoutes } from './tokens';

/** Mounted at /api/public/v1/auth next to the session routes. */
export function tokenAuthRoutes(deps: RouteDeps) {
  return router()
    .route('/', cliLoginRoute(deps))
    .route('/', cliLogoutRoute(deps))
    .route('/', rotateRoute(deps))
    .route('/', tokenRoutes(deps));
}
