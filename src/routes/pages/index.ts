import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { devicePageRoutes } from './device';
import { docsPageRoute } from './docs';
import { loginPageRoutes } from './login';

/** The browser pages, mounted at the root: /login, /device (RFC 8628) and /docs. */
export function pageRoutes(deps: RouteDeps, openApiDocument: () => unknown) {
  return router()
    .route('/', loginPageRoutes(deps))
    .route('/', devicePageRoutes(deps))
    .route('/', docsPageRoute(openApiDocument));
}
