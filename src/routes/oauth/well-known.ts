import { z } from '@hono/zod-openapi';
import { TOKEN_SCOPES } from '../../services/tokens/scopes';
import { SUPPORTED_GRANTS } from '../../services/tokens/token-endpoint';
import { type RouteDeps, router } from '../deps';
import { json } from './docs';

/**
 * Mounted at /.well-known: GET /.well-known/jwks.json (public keys only; cached briefly,
 * clients re-fetch on an unknown kid) and GET /.well-known/oauth-authorization-server (RFC 8414).
 */
export function wellKnownRoutes({ services, config }: RouteDeps) {
  const base = config.appUrl;
  const app = router();
  documentWellKnown(app);
  return app
    .get('/jwks.json', async (c) => {
      c.header('Cache-Control', 'public, max-age=60, must-revalidate');
      return c.json(await services.tokens.signingKeys.jwks(), 200);
    })
    .get('/oauth-authorization-server', (c) => {
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

function documentWellKnown(app: ReturnType<typeof router>) {
  const tags = ['oauth'];
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/jwks.json',
    tags,
    summary: 'Public keys access JWTs are signed with',
    responses: {
      200: {
        description: 'JWK Set',
        content: json(z.object({ keys: z.array(z.record(z.string(), z.unknown())) })),
      },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/oauth-authorization-server',
    tags,
    summary: 'Authorization server metadata (RFC 8414)',
    responses: {
      200: { description: 'Metadata', content: json(z.record(z.string(), z.unknown())) },
    },
  });
}
