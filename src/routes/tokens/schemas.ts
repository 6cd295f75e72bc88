import { z } from '@hono/zod-openapi';
import { TOKEN_SCOPES } from '../../services/tokens/scopes';

export const tokenSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    prefix: z.string().openapi({ example: 'kgm_a1B2' }),
    scopes: z.array(z.string()).openapi({ example: ['read', 'write'] }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .openapi('PersonalAccessToken');

export const createTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: 'ci-deploy' }),
    scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(3).optional(),
    /** Absolute expiry; or expiresInDays. Neither: the token does not expire. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict()
  .refine((b) => !(b.expiresAt && b.expiresInDays), {
    message: 'Give expiresAt or expiresInDays, not both',
    path: ['expiresAt'],
  });
