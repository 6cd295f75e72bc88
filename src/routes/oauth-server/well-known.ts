import { Hono } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { TOKEN_SCOPES } from '../../services/tokens/scopes';
import { SUPPORTED_GRANTS } from '../../services/tokens/token-endpoint';
import type { RouteDeps } from '../deps';

/**
 * GET /.well-known/jwks.json (public keys only; cached briefly, clients re-fetch on an unknown
 * kid) and GET /.well-known/oauth-authorization-server (RFC 8414).
 */
export function wellKnownRoutes({ services, config }: RouteDeps) {
  const base = config.appUrl;
  return new Hono<AppEnv>()
    .get('/.well-known/jwks.json', async (c) => {
      c.header('Cache-Control', 'public, max-age=60, must-revalidate');
      return c.json(await services.tokens.signingKeys.jwks(), 200);
    })
    .get('/.well-known/oauth-authorization-server', (c) => {
      c.header('Cache-Control', 'public, max-age=300');
      return c.json(
        {
          issuer: base,
          token_endpoint: `${base}/oauth/token`,
          device_authorization_endpoint: `${base}/oauth/device/code`,
          revocation_endpoint: `${base}/oauth/revoke`,
          jwks_uri: `${base}/.well-known/jwks.json`,
          grant_types_supported: SUPPORTED_GRANTS,
          response_types_supported: [],
          scopes_supported: TOKEN_SCOPES,
          token_endpoint_auth_methods_supported: ['none'],
          revocation_endpoint_auth_methods_supported: ['none'],
          token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
          service_documentation: `${base}/docs`,
        },
        200,
      );
    });
}
