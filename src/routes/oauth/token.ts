import { Hono } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { requestMeta } from '../../http/request-meta';
import type { RouteDeps } from '../deps';
import { oauthEndpoint } from './params';

/** POST /oauth/token: refresh_token, device_code and jwt-bearer grants (RFC 6749 shapes). */
export function tokenEndpointRoute({ services }: RouteDeps) {
  return new Hono<AppEnv>().post('/token', (c) =>
    oauthEndpoint(c, async (params) => {
      const tokens = await services.tokens.tokenEndpoint.grant(params, requestMeta(c));
      c.header('Cache-Control', 'no-store');
      c.header('Pragma', 'no-cache');
      return c.json(tokens, 200);
    }),
  );
}
