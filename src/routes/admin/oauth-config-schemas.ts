import { z } from '@hono/zod-openapi';
import { PROVIDER_TYPES } from '../../services/oauth/types';

const url = z.string().trim().min(1).max(2048);
const scope = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,200}$/, 'Not a valid OAuth scope');

const settings = {
  displayName: z.string().trim().min(1).max(100).optional(),
  clientId: z.string().trim().min(1).max(500),
  clientSecret: z.string().min(1).max(4096),
  issuer: url.optional().openapi({ example: 'https://company.okta.com' }),
  baseUrl: url.optional().openapi({ example: 'https://gitlab.example.com' }),
  scopes: z
    .array(scope)
    .max(50)
    .optional()
    .openapi({ example: ['openid', 'email', 'profile'] }),
  enabled: z.boolean().optional(),
  allowSignup: z.boolean().optional(),
  trustEmail: z.boolean().optional(),
};

export const createProviderBody = z
  .object({
    id: z.string().min(1).max(40).openapi({ example: 'okta' }),
    type: z.enum(PROVIDER_TYPES),
    ...settings,
  })
  .strict()
  .openapi('OAuthProviderCreate');

export const updateProviderBody = z
  .object({
    displayName: settings.displayName,
    clientId: settings.clientId.optional(),
    clientSecret: settings.clientSecret.optional(),
    issuer: settings.issuer,
    baseUrl: settings.baseUrl,
    scopes: settings.scopes,
    enabled: settings.enabled,
    allowSignup: settings.allowSignup,
    trustEmail: settings.trustEmail,
  })
  .strict()
  .openapi('OAuthProviderUpdate');

export const providerView = z
  .object({
    id: z.string(),
    type: z.enum(PROVIDER_TYPES),
    displayName: z.string(),
    clientId: z.string(),
    clientSecret: z.string().openapi({ description: 'Always masked', example: '********' }),
    issuer: z.string().nullable(),
    baseUrl: z.string().nullable(),
    scopes: z.array(z.string()),
    enabled: z.boolean(),
    allowSignup: z.boolean(),
    trustEmail: z.boolean(),
    source: z.enum(['environment', 'database']),
    readOnly: z.boolean(),
    callbackUrl: z.string().openapi({ description: 'Register this with the provider' }),
    loginUrl: z.string(),
    secretKeyId: z.string().nullable(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('OAuthProvider');

export const providerIdParam = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/)
    .openapi({ example: 'okta' }),
});
