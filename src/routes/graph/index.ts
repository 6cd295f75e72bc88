import type { RouteDeps } from '../deps';
import { router } from '../deps';
import { jobRoutes } from './jobs';
import { submitRoutes } from './submit';
import { subscribeRoute } from './subscribe';

/** Mounted at /api/public/v1/graph. */
export function graphRoutes(deps: RouteDeps) {
  return router()
    .route('/', submitRoutes(deps))
    .route('/', subscribeRoute(deps))
    .route('/', jobRoutes(deps));
}
