import { Hono } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { requestMeta } from '../../http/request-meta';
import { setSessionCookie } from '../../http/session-cookie';
import { OAuthFlowError } from '../../services/oauth/flow-error';
import { PROVIDER_ID_PATTERN, RESERVED_PROVIDER_IDS } from '../../services/oauth/types';
import type { RouteDeps } from '../deps';
import { clearFlowCookie, readFlowCookie, setFlowCookie } from './flow-cookie';
import { flowErrorPage } from './pages';

/** /oauth/token, /oauth/revoke, /oauth/device/… belong to the OAuth server: not providers. */
const isProviderSegment = (id: string) =>
  PROVIDER_ID_PATTERN.test(id) && !RESERVED_PROVIDER_IDS.has(id);

/** Browser sign-in: GET /oauth/{provider} and GET /oauth/{provider}/callback. */
export function oauthLoginRoutes({ services, config }: RouteDeps) {
  const app = new Hono<AppEnv>();

  app.get('/oauth/:provider', async (c, next) => {
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
      const started = await services.oauthFlow.start(providerId, { redirect, link });
      setFlowCookie(c, config, providerId, started.cookieValue);
      c.header('Cache-Control', 'no-store');
      return c.redirect(started.location, 302);
    } catch (err) {
      if (err instanceof OAuthFlowError) return flowErrorPage(c, config, err);
      throw err;
    }
  });

  app.get('/oauth/:provider/callback', async (c, next) => {
    const providerId = c.req.param('provider');
    if (RESERVED_PROVIDER_IDS.has(providerId)) return next();
    const cookieValue = readFlowCookie(c, config);
    const auth = c.get('auth');
    try {
      if (!isProviderSegment(providerId)) throw new OAuthFlowError('unknown_provider');
      // The flow cookie is single-use whatever happens next.
      if (cookieValue) clearFlowCookie(c, config, providerId);
      const outcome = await services.oauthFlow.callback({
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
