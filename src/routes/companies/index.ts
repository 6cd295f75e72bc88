import { type RouteDeps, router } from '../deps';
import { memberRoutes } from '../shared/members';
import { certificateRoutes } from './certificates';
import { companyRoutes } from './crud';
import { ledgerRoutes } from './ledger';

/** Mounted at /api/public/v1/companies: the companies, their members, certificates and ledger. */
export function companiesRoutes(deps: RouteDeps) {
  return router()
    .route('/', companyRoutes(deps))
    .route('/', memberRoutes(deps, 'company'))
    .route('/', certificateRoutes(deps))
    .route('/', ledgerRoutes(deps));
}
