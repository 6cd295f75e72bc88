import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import type { RouteDeps } from '../deps';
import { companyRoutes } from './companies';
import { invitationRoutes } from './invitations';
import { memberRoutes } from './members';
import { refuseNul } from './no-nul';
import { organizationRoutes } from './organizations';
import { projectRoutes } from './projects';
import { teamRoutes } from './teams';

/** Mounts companies, organizations, teams, projects and invitations under /api/public/v1. */
export function mountTenancyRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: RouteDeps,
  prefix = '/api/public/v1',
) {
  for (const area of ['companies', 'organizations', 'teams', 'projects', 'invitations', 'iac']) {
    app.use(`${prefix}/${area}`, refuseNul);
    app.use(`${prefix}/${area}/*`, refuseNul);
  }
  app.route(`${prefix}/companies`, companyRoutes(deps).route('/', memberRoutes(deps, 'company')));
  app.route(`${prefix}/organizations`, organizationRoutes(deps));
  app.route(`${prefix}/teams`, teamRoutes(deps));
  app.route(`${prefix}/projects`, projectRoutes(deps));
  app.route(`${prefix}/invitations`, invitationRoutes(deps));
}
