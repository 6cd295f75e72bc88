import { Hono } from 'hono';
import type { AppEnv } from '../../http/app-env';
import type { RouteDeps } from '../deps';
import { oauthEndpoint } from './params';

/** POST /oauth/device/code: RFC 8628 §3.1–3.2. */
export function deviceCodeRoute({ services }: RouteDeps) {
  return new Hono<AppEnv>().post('/device/code', (c) =>
    oauthEndpoint(c, async (params) => {
      const started = await services.tokens.deviceLogins.start(
        params.client_id,
        params.scope,
        c.get('ip'),
      );
      c.header('Cache-Control', 'no-store');
      return c.json(started, 200);
    }),
  );
}
