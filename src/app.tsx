import { OpenAPIHono } from '@hono/zod-openapi';
import { websocket } from 'hono/bun';
import packageJson from '../package.json' with { type: 'json' };
import type { AppEnv } from './http/app-env';
import { notFound, onError, validationHook } from './http/errors';
import { authenticate } from './http/middleware/auth';
import { limitBody, requireContentType } from './http/middleware/body';
import { csrf } from './http/middleware/csrf';
import { corsMiddleware, securityHeaders } from './http/middleware/headers';
import { rateLimit } from './http/middleware/rate-limit';
import { requestContext } from './http/middleware/request-context';
import { enforceTokenScopes } from './http/middleware/token-scopes';
import { adminRoutes } from './routes/admin';
import { encryptionRoutes } from './routes/admin/encryption-rotate';
import { oauthConfigListRoutes } from './routes/admin/oauth-config';
import { oauthConfigItemRoutes } from './routes/admin/oauth-config-item';
import { authRoutes } from './routes/auth';
import type { RouteDeps } from './routes/deps';
import { graphRoutes } from './routes/graph';
import { ledgerRoutes } from './routes/graph/ledger';
import { healthRoutes, type Lifecycle } from './routes/health';
import { deepHealthRoutes } from './routes/health/deep';
import { iacRoutes } from './routes/iac';
import { metricsRoute } from './routes/metrics';
import { oauthLoginRoutes } from './routes/oauth';
import { loginPageRoutes } from './routes/oauth/login-page';
import { adminKeyRoutes, oauthServerRoutes } from './routes/oauth-server';
import { mountTenancyRoutes } from './routes/tenancy';
import { tokenAuthRoutes } from './routes/tokens';
import { certificateRoutes } from './routes/tokens/certificates';
import { userRoutes } from './routes/users';
import { type AppDeps, createServices } from './services';
import { DocsPage } from './ui/docs';

export interface AppInstance {
  app: OpenAPIHono<AppEnv>;
  services: ReturnType<typeof createServices>;
  lifecycle: Lifecycle;
  /** Bun.serve's `websocket` option: the code-generation status sockets run on it. */
  websocket: typeof websocket;
  /** Flushes buffered writes. Closing the database and Redis is the owner's job. */
  stop(): Promise<void>;
}

const HEALTH_PREFIX = '/api/public/v1/healthz';
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

  app.onError(onError);
  app.notFound(notFound);

  // Order matters: see "Data flow of an authenticated request" in ARCHITECTURE.md.
  app.use('*', requestContext(deps.accessLogger ?? logger, config.trustProxy, services.metrics));
  app.use('*', securityHeaders(config));
  app.use('*', corsMiddleware(config));
  // Before authentication: the scraper's METRICS_TOKEN is not a user credential to look up.
  app.route('/', metricsRoute(services.metrics, config.metrics));
  // Also ahead of authentication: it accepts METRICS_TOKEN too, and answers (503) when the
  // database a credential lookup would need is down.
  app.route(HEALTH_PREFIX, deepHealthRoutes({ ...routeDeps, ...deps }));
  app.use('*', limitBody(config.bodyLimitBytes));
  app.use('/api/*', requireContentType());
  app.use('*', authenticate(services.authenticator, config.session.cookieName, services.metrics));
  // Scoped credentials (PATs, access JWTs) beyond their scopes: 403 before any route runs.
  app.use('*', enforceTokenScopes());
  app.use('*', csrf(config));
  const limiter = rateLimit(services.rateLimits, services.db);
  // Health probes are exempt: load balancers poll them.
  app.use('/api/*', (c, next) =>
    c.req.path.startsWith(HEALTH_PREFIX) ? next() : limiter(c, next),
  );
  // Browser sign-in pages write audit rows and call providers: the same allowance applies.
  app.use('/login', limiter);
  app.use('/oauth/:provider', (c, next) => (c.req.method === 'GET' ? limiter(c, next) : next()));
  app.use('/oauth/:provider/callback', limiter);

  app.route(
    HEALTH_PREFIX,
    healthRoutes(deps.database, deps.store, lifecycle, () => services.codegen.kuberagHealth()),
  );
  app.route('/api/public/v1/auth', authRoutes(routeDeps));
  app.route('/api/public/v1/auth', tokenAuthRoutes(routeDeps));
  app.route('/api/v1/admin/keys', adminKeyRoutes(routeDeps));
  app.route('/api/public/v1/companies', certificateRoutes(routeDeps));
  // OAuth server endpoints (fixed paths) go before the /oauth/{provider} sign-in routes.
  app.route('/', oauthServerRoutes(routeDeps));
  app.route('/api/public/v1/users', userRoutes(routeDeps));
  app.route('/api/public/v1/graph', graphRoutes(routeDeps));
  app.route('/api/public/v1/companies', ledgerRoutes(routeDeps));
  mountTenancyRoutes(app, routeDeps);
  app.route('/api/public/v1/iac', iacRoutes(routeDeps));
  app.route('/api/v1/admin', adminRoutes(routeDeps));
  app.route('/api/v1/admin', oauthConfigListRoutes(routeDeps));
  app.route('/api/v1/admin', oauthConfigItemRoutes(routeDeps));
  app.route('/api/v1/admin', encryptionRoutes(routeDeps));
  app.route('/', oauthLoginRoutes(routeDeps));
  app.route('/', loginPageRoutes(routeDeps));

  app.doc31('/openapi.json', { openapi: '3.1.0', info: OPENAPI_INFO });
  app.get('/docs', (c) => {
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: OPENAPI_INFO });
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    );
    return c.html(<DocsPage doc={doc as never} />);
  });

  return {
    app,
    services,
    lifecycle,
    websocket,
    stop: () => services.stop(),
  };
}
