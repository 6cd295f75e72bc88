import { OpenAPIHono } from '@hono/zod-openapi';
import { websocket } from 'hono/bun';
import packageJson from '../package.json' with { type: 'json' };
import type { AppEnv } from './http/app-env';
import { notFound, onError } from './http/errors';
import { authenticate } from './http/middleware/auth';
import { limitBody, requireContentType } from './http/middleware/body';
import { csrf } from './http/middleware/csrf';
import { corsMiddleware, securityHeaders } from './http/middleware/headers';
import { rateLimit } from './http/middleware/rate-limit';
import { requestContext } from './http/middleware/request-context';
import { enforceTokenScopes } from './http/middleware/token-scopes';
import { validationHook } from './http/validation';
import { adminRoutes } from './routes/admin';
import { authRoutes } from './routes/auth';
import { companiesRoutes } from './routes/companies';
import type { RouteDeps } from './routes/deps';
import { graphRoutes } from './routes/graph';
import { healthRoutes, type Lifecycle } from './routes/healthz';
import { deepHealthRoutes } from './routes/healthz/deep';
import { iacRoutes } from './routes/iac';
import { invitationRoutes } from './routes/invitations';
import { metricsRoute } from './routes/metrics';
import { oauthRoutes } from './routes/oauth';
import { wellKnownRoutes } from './routes/oauth/well-known';
import { organizationRoutes } from './routes/organizations';
import { pageRoutes } from './routes/pages';
import { projectRoutes } from './routes/projects';
import { teamRoutes } from './routes/teams';
import { userRoutes } from './routes/users';
import { type AppDeps, createServices } from './services';

export interface AppInstance {
  app: OpenAPIHono<AppEnv>;
  services: ReturnType<typeof createServices>;
  lifecycle: Lifecycle;
  /** Bun.serve's `websocket` option: the code-generation status sockets run on it. */
  websocket: typeof websocket;
  /** Flushes buffered writes. Closing the database and Redis is the owner's job. */
  stop(): Promise<void>;
}

const API = '/api/public/v1';
const HEALTH_PREFIX = `${API}/healthz`;
const OPENAPI_INFO = { title: 'Kubegram Server', version: packageJson.version };

/**
 * Builds the HTTP application from its dependencies. No I/O happens here, and nothing is read
 * from the environment: two instances with different dependencies can share one process.
 */
export function createApp(deps: AppDeps): AppInstance {
  const { config, logger } = deps;
  const services = createServices(deps);
  const lifecycle: Lifecycle = { shuttingDown: false };
  const routeDeps: RouteDeps = { services, config };
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const openApiDocument = () => app.getOpenAPI31Document({ openapi: '3.1.0', info: OPENAPI_INFO });

  app.onError(onError);
  app.notFound(notFound);

  // Order matters: see "Data flow of an authenticated request" in ARCHITECTURE.md.
  app.use(
    '*',
    requestContext(deps.accessLogger ?? logger, config.trustProxy, services.observability.metrics),
  );
  app.use('*', securityHeaders(config));
  app.use('*', corsMiddleware(config));
  // Before authentication: the scraper's METRICS_TOKEN is not a user credential to look up.
  app.route('/metrics', metricsRoute(services.observability.metrics, config.metrics));
  // Also ahead of authentication: it accepts METRICS_TOKEN too, and answers (503) when the
  // database a credential lookup would need is down.
  app.route(HEALTH_PREFIX, deepHealthRoutes({ ...routeDeps, ...deps }));
  app.use('*', limitBody(config.bodyLimitBytes));
  app.use('/api/*', requireContentType());
  app.use(
    '*',
    authenticate(
      services.auth.authenticator,
      config.session.cookieName,
      services.observability.metrics,
    ),
  );
  // Scoped credentials (PATs, access JWTs) beyond their scopes: 403 before any route runs.
  app.use('*', enforceTokenScopes());
  app.use('*', csrf(config));
  const limiter = rateLimit(services.limits.requests);
  // Health probes are exempt: load balancers poll them.
  app.use('/api/*', (c, next) =>
    c.req.path.startsWith(HEALTH_PREFIX) ? next() : limiter(c, next),
  );
  // Browser sign-in pages write audit rows and call providers: the same allowance applies.
  app.use('/login', limiter);
  app.use('/oauth/:provider', (c, next) => (c.req.method === 'GET' ? limiter(c, next) : next()));
  app.use('/oauth/:provider/callback', limiter);

  // The URL tree, one prefix per line; src/routes/ has a folder for each.
  app.route(
    HEALTH_PREFIX,
    healthRoutes(deps.database, deps.store, lifecycle, () => services.codegen.jobs.kuberagHealth()),
  );
  app.route(`${API}/auth`, authRoutes(routeDeps));
  app.route(`${API}/companies`, companiesRoutes(routeDeps));
  app.route(`${API}/organizations`, organizationRoutes(routeDeps));
  app.route(`${API}/teams`, teamRoutes(routeDeps));
  app.route(`${API}/projects`, projectRoutes(routeDeps));
  app.route(`${API}/invitations`, invitationRoutes(routeDeps));
  app.route(`${API}/users`, userRoutes(routeDeps));
  app.route(`${API}/graph`, graphRoutes(routeDeps));
  app.route(`${API}/iac`, iacRoutes(routeDeps));
  app.route('/api/v1/admin', adminRoutes(routeDeps));
  app.route('/oauth', oauthRoutes(routeDeps));
  app.route('/.well-known', wellKnownRoutes(routeDeps));
  app.route('/', pageRoutes(routeDeps, openApiDocument));
  app.doc31('/openapi.json', { openapi: '3.1.0', info: OPENAPI_INFO });

  return {
    app,
    services,
    lifecycle,
    websocket,
    stop: () => services.stop(),
  };
}
