import { z } from '@hono/zod-openapi';
import type { router } from '../deps';

const form = (schema: z.ZodType) => ({
  content: {
    'application/x-www-form-urlencoded': { schema },
    'application/json': { schema },
  },
});
export const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const oauthError = z
  .object({ error: z.string(), error_description: z.string().optional() })
  .openapi('OAuthError');
const tokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number(),
    refresh_token: z.string().optional(),
    refresh_token_expires_in: z.number().optional().openapi({
      description: 'Seconds until the login ends (CLI_TOKEN_TTL for the CLI); rotation keeps it',
    }),
    scope: z.string(),
  })
  .openapi('TokenResponse');

/**
 * The OAuth endpoints answer in their RFCs' shapes (not the API envelope) and take form bodies,
 * so they are plain handlers; they are listed in /openapi.json and /docs all the same (paths
 * relative to /oauth).
 */
export function documentOAuthServer(app: ReturnType<typeof router>) {
  const tags = ['oauth'];
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/token',
    tags,
    summary: 'Token endpoint: refresh_token, device_code and jwt-bearer grants',
    description:
      'RFC 6749 §5 answers. Refresh tokens rotate on every use; reuse revokes the family (a retry of the previous token within the grace window gets the same pair). jwt-bearer: RFC 7523 assertion signed with a company certificate.',
    request: {
      body: form(
        z.object({
          grant_type: z.enum([
            'refresh_token',
            'urn:ietf:params:oauth:grant-type:device_code',
            'urn:ietf:params:oauth:grant-type:jwt-bearer',
          ]),
          refresh_token: z.string().optional(),
          device_code: z.string().optional(),
          assertion: z.string().optional(),
          client_id: z.string().optional(),
        }),
      ),
    },
    responses: {
      200: { description: 'Tokens', content: json(tokenResponse) },
      400: {
        description:
          'invalid_request, invalid_grant, unsupported_grant_type, authorization_pending, slow_down, access_denied, expired_token',
        content: json(oauthError),
      },
      401: { description: 'invalid_client', content: json(oauthError) },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/device/code',
    tags,
    summary: 'Start a device login (RFC 8628 §3.1)',
    request: {
      body: form(z.object({ client_id: z.literal('kubegram-cli'), scope: z.string().optional() })),
    },
    responses: {
      200: {
        description: 'Codes to show the user',
        content: json(
          z.object({
            device_code: z.string(),
            user_code: z.string().openapi({ example: 'BCDF-GHJK' }),
            verification_uri: z.string(),
            verification_uri_complete: z.string(),
            expires_in: z.number(),
            interval: z.number(),
          }),
        ),
      },
      400: { description: 'invalid_request, invalid_scope', content: json(oauthError) },
      401: { description: 'invalid_client', content: json(oauthError) },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/revoke',
    tags,
    summary: 'Revoke a token (RFC 7009): refresh/access tokens end their family, PATs themselves',
    request: {
      body: form(z.object({ token: z.string(), token_type_hint: z.string().optional() })),
    },
    responses: {
      200: { description: 'Revoked (also for unknown tokens)' },
      400: { description: 'invalid_request', content: json(oauthError) },
    },
  });
}
