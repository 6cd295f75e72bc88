import { z } from '@hono/zod-openapi';
import { PASSWORD_MAX_LENGTH } from '../../services/auth/credentials';

export const userSchema = z
  .object({
    id: z.string().openapi({ example: '123' }),
    email: z.string().openapi({ example: 'user@example.com' }),
    name: z.string(),
    avatar: z.string().nullable(),
    role: z.enum(['admin', 'manager', 'team_member']),
    teamId: z.string().nullable(),
  })
  .openapi('User');

export const sessionResponse = z
  .object({ user: userSchema, sessionId: z.string() })
  .openapi('SessionResponse');

export const credentialsBody = z.object({
  email: z.string().min(1).max(320).openapi({ example: 'user@example.com' }),
  password: z
    .string()
    .min(1)
    .max(PASSWORD_MAX_LENGTH * 4),
});

/** Sign-in (browser and CLI): with two-factor authentication on, the code comes along. */
export const loginBody = credentialsBody.extend({
  mfaCode: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ description: 'A 6-digit authenticator code or a recovery code' }),
});

export const registerBody = credentialsBody.extend({
  name: z.string().trim().min(1).max(200).openapi({ example: 'Ada Lovelace' }),
});
