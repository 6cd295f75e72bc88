import { z } from '@hono/zod-openapi';
import { requestMeta } from '../../http/request-meta';
import { setSessionCookie } from '../../http/session-cookie';
import { OAuthFlowError } from '../../services/oauth/flow-error';
import { PROVIDER_ID_PATTERN, RESERVED_PROVIDER_IDS } from '../../services/oauth/types';
import { type RouteDeps, router } from '../deps';
import { flowErrorPage } from '../pages/html';
import { clearFlowCookie, readFlowCookie, setFlowCookie } from './flow-cookie';

/** /oauth/token, /oauth/revoke, /oauth/device/… belong to the OAuth server: not providers. */
const isProviderSegment = (id: string) =>
  PROVIDER_ID_PATTERN.test(id) && !RESERVED_PROVIDER_IDS.has(id);

/** Browser sign-in: GET /oauth/{provider} and GET /oauth/{provider}/callback. */
export function signInRoutes({ services, config }: RouteDeps) {
  const app = router();
  documentBrowserRoutes(app);

  app.get('/:provider', async (c, next) => {
    const providerId = c.req.param('provider');
    if (RESERVED_PROVIDER_IDS.has(providerId)) return next();
    const redirect = c.req.query('redirect');
    const auth = c.get('auth');
    let link: { userId: number; sessionId: string } | undefined;
    if (c.req.query('link') === 'true') {
      if (auth?.kind !== 'session') {
        const back = `/oauth/${encodeURIComponent(providerId)}?link=true${
          redirect ? `&redirect=${encodeURIComponent(redirect)}` : ''
        }`;
        return c.redirect(`/login?redirect=${encodeURIComponent(back)}`, 302);
      }
      link = { userId: auth.user.id, sessionId: auth.sessionId };
    }
    try {
      if (!isProviderSegment(providerId)) throw new OAuthFlowError('unknown_provider');
      const started = await services.oauth.flow.start(providerId, { redirect, link });
      setFlowCookie(c, config, providerId, started.cookieValue);
      c.header('Cache-Control', 'no-store');
      return c.redirect(started.location, 302);
    } catch (err) {
      if (err instanceof OAuthFlowError) return flowErrorPage(c, config, err);
      throw err;
    }
  });

  app.get('/:provider/callback', async (c, next) => {
    const providerId = c.req.param('provider');
    if (RESERVED_PROVIDER_IDS.has(providerId)) return next();
    const cookieValue = readFlowCookie(c, config);
    const auth = c.get('auth');
    try {
      if (!isProviderSegment(providerId)) throw new OAuthFlowError('unknown_provider');
      // The flow cookie is single-use whatever happens next.
      if (cookieValue) clearFlowCookie(c, config, providerId);
      const outcome = await services.oauth.flow.callback({
        providerId,
        query: new URL(c.req.url).searchParams,
        cookieValue,
        current:
          auth?.kind === 'session'
            ? { userId: auth.user.id, sessionId: auth.sessionId }
            : undefined,
        meta: requestMeta(c),
      });
      c.header('Cache-Control', 'no-store');
      if (outcome.kind === 'signed_in') setSessionCookie(c, config, outcome.token);
      if (outcome.kind === 'denied') {
        const login = new URLSearchParams({ error: outcome.error, redirect: outcome.redirect });
        return c.redirect(`/login?${login}`, 302);
      }
      return c.redirect(outcome.redirect, 302);
    } catch (err) {
      if (err instanceof OAuthFlowError) return flowErrorPage(c, config, err);
      throw err;
    }
  });

  return app;
}

const html = { 'text/html': { schema: z.string() } };

/** Browser endpoints answer with redirects and pages; they are listed in /docs all the same. */
function documentBrowserRoutes(app: ReturnType<typeof router>) {
  const provider = z.object({ provider: z.string().openapi({ example: 'okta' }) });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/{provider}',
    tags: ['sign-in'],
    summary: 'Start signing in with a provider (browser)',
    description:
      '302 to the provider with PKCE S256, state and nonce kept in an encrypted HttpOnly cookie for 10 minutes. `redirect`: a path here or a URL on an allowed origin; `link=true` links the identity to the signed-in account.',
    request: {
      params: provider,
      query: z.object({ redirect: z.string().optional(), link: z.enum(['true']).optional() }),
    },
    responses: {
      302: { description: 'To the provider (or to /login when linking without a session)' },
      404: { description: 'Unknown or disabled provider (page)', content: html },
      502: { description: 'Provider unreachable (page with the request id)', content: html },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/{provider}/callback',
    tags: ['sign-in'],
    summary: 'Where the provider sends the browser back',
    description:
      'Checks state, iss (RFC 9207), exchanges the code, validates the ID token, signs in (new session cookie) and 302s to the redirect target. Register this URL with the provider.',
    request: {
      params: provider,
      query: z.object({
        code: z.string().optional(),
        state: z.string().optional(),
        iss: z.string().optional(),
        error: z.string().optional(),
      }),
    },
    responses: {
      302: { description: 'Signed in (or linked): to the redirect target; denied: to /login' },
      400: { description: 'Missing, mismatched, expired or replayed state (page)', content: html },
      403: {
        description: 'Sign-up closed, unverified email or disabled account (page)',
        content: html,
      },
      404: { description: 'Unknown or disabled provider (page)', content: html },
      409: {
        description: 'Email belongs to an existing account: link it first (page)',
        content: html,
      },
      502: {
        description: 'Token exchange, JWKS or ID-token validation failed (page)',
        content: html,
      },
    },
  });
}
