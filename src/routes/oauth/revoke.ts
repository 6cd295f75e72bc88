import { Hono } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { requestMeta } from '../../http/request-meta';
import { OAuthError } from '../../services/tokens/oauth-error';
import type { RouteDeps } from '../deps';
import { oauthEndpoint } from './params';

/**
 * POST /oauth/revoke (RFC 7009): refresh tokens and access JWTs revoke their family, PATs
 * themselves. Unknown or already invalid tokens also answer 200 (§2.2), so the endpoint tells
 * nobody which tokens exist.
 */
export function revokeRoute({ services }: RouteDeps) {
  return new Hono<AppEnv>().post('/revoke', (c) =>
    oauthEndpoint(c, async (params) => {
      if (!params.token) throw new OAuthError('invalid_request', 'token is required');
      await services.tokens.revoker.revokeAny(params.token, requestMeta(c));
      c.header('Cache-Control', 'no-store');
      return c.body(null, 200);
    }),
  );
}
