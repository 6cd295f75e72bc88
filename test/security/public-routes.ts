import type { Operation } from './route-coverage';

/**
 * Every route that answers callers without a user credential, and why. Everything else the
 * app serves must be in PROTECTED_ROUTES (protected-routes.ts): protected-routes.test.ts fails
 * for a route in neither list. Paths are written as served, parameters the OpenAPI way.
 */
export interface PublicRoute extends Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  why: string;
}

const PROBE = 'health probe: load balancers and orchestrators poll it without credentials';
const SIGN_IN = 'how a caller gets a credential in the first place';
const OPTIONAL_AUTH =
  'optional auth: anonymous callers get the public view (what each caller sees: test/tenancy)';
const OAUTH_SERVER =
  'OAuth endpoint: clients authenticate in the body, per its RFC (test/tokens, test/oauth)';
const DISCOVERY = 'well-known discovery document: public by its RFC';
const BROWSER_SIGN_IN =
  'browser sign-in with a provider: signed out by definition (test/oauth/*-login.test.ts)';
const PAGE = 'HTML page: a signed-out browser gets the page or a redirect to /login, never a 401';
const DOCS = 'API documentation, generated from the same schemas as the routes';

export const PUBLIC_ROUTES: PublicRoute[] = [
  { method: 'GET', path: '/api/public/v1/healthz/live', why: PROBE },
  { method: 'GET', path: '/api/public/v1/healthz/ready', why: PROBE },
  {
    method: 'GET',
    path: '/metrics',
    why: 'Prometheus scraper: its own METRICS_TOKEN, not a user credential (test/ops/metrics)',
  },
  { method: 'POST', path: '/api/public/v1/auth/register', why: SIGN_IN },
  { method: 'POST', path: '/api/public/v1/auth/login', why: SIGN_IN },
  { method: 'POST', path: '/api/public/v1/auth/cli-login', why: SIGN_IN },
  {
    method: 'GET',
    path: '/api/public/v1/auth/providers',
    why: 'the sign-in buttons, shown before anyone has signed in',
  },
  { method: 'GET', path: '/api/public/v1/companies', why: OPTIONAL_AUTH },
  { method: 'GET', path: '/api/public/v1/companies/{id}', why: OPTIONAL_AUTH },
  { method: 'GET', path: '/api/public/v1/projects', why: OPTIONAL_AUTH },
  { method: 'GET', path: '/api/public/v1/projects/{id}', why: OPTIONAL_AUTH },
  { method: 'POST', path: '/oauth/token', why: OAUTH_SERVER },
  { method: 'POST', path: '/oauth/device/code', why: OAUTH_SERVER },
  { method: 'POST', path: '/oauth/revoke', why: OAUTH_SERVER },
  { method: 'GET', path: '/.well-known/jwks.json', why: DISCOVERY },
  { method: 'GET', path: '/.well-known/oauth-authorization-server', why: DISCOVERY },
  { method: 'GET', path: '/oauth/{provider}', why: BROWSER_SIGN_IN },
  { method: 'GET', path: '/oauth/{provider}/callback', why: BROWSER_SIGN_IN },
  { method: 'GET', path: '/login', why: PAGE },
  { method: 'POST', path: '/login', why: PAGE },
  { method: 'GET', path: '/device', why: `${PAGE} (test/tokens/device-flow.test.ts)` },
  { method: 'POST', path: '/device', why: `${PAGE} (test/tokens/device-flow.test.ts)` },
  { method: 'GET', path: '/openapi.json', why: DOCS },
  { method: 'GET', path: '/docs', why: DOCS },
];
