import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import { ForbiddenError } from '../../lib/errors';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

/**
 * Your second factor is managed from a signed-in session only: a personal access token or an
 * access JWT that leaked must not be able to enrol an authenticator and lock the owner out.
 */
const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (authOf(c).kind !== 'session') {
    throw new ForbiddenError('Two-factor settings need a signed-in session, not an API token');
  }
  await next();
};

const tags = ['auth'];
const middleware: MiddlewareHandler<AppEnv>[] = [requireAuth, requireSession];
const codeBody = jsonBody(
  z.object({ code: z.string().trim().min(1).max(64) }).openapi('MfaCode', {
    description: 'A 6-digit authenticator code (or, to turn MFA off, a recovery code)',
  }),
);
const recoveryCodes = envelope(z.object({ recoveryCodes: z.array(z.string()) }));
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

const status = createRoute({
  method: 'get',
  path: '/mfa',
  tags,
  summary: 'Your two-factor authentication status',
  middleware,
  responses: {
    200: {
      description: 'Status',
      content: json(
        envelope(
          z.object({
            totp: z.enum(['disabled', 'pending', 'enabled']),
            enabledAt: z.string().nullable(),
            recoveryCodesLeft: z.number(),
          }),
        ),
      ),
    },
    ...errorResponses(401, 403),
  },
});

const begin = createRoute({
  method: 'post',
  path: '/mfa/totp',
  tags,
  summary: 'Start enrolling an authenticator app',
  description:
    'Answers the secret and an otpauth:// URI (for a QR code). Nothing changes for sign-in until /mfa/totp/confirm.',
  middleware,
  responses: {
    200: {
      description: 'Secret for the app',
      content: json(envelope(z.object({ secret: z.string(), otpauthUri: z.string() }))),
    },
    ...errorResponses(401, 403, 409),
  },
});

const confirm = createRoute({
  method: 'post',
  path: '/mfa/totp/confirm',
  tags,
  summary: 'Turn two-factor authentication on with a code from the app',
  description: 'Answers 10 one-time recovery codes, shown this once.',
  middleware,
  request: { body: codeBody },
  responses: {
    200: { description: 'On', content: json(recoveryCodes) },
    ...errorResponses(401, 403, 404, 409, 429),
  },
});

const disable = createRoute({
  method: 'post',
  path: '/mfa/totp/disable',
  tags,
  summary: 'Turn two-factor authentication off (needs a current code or a recovery code)',
  middleware,
  request: { body: codeBody },
  responses: {
    200: {
      description: 'Off',
      content: json(envelope(z.object({ totp: z.literal('disabled') }))),
    },
    ...errorResponses(401, 403, 429),
  },
});

const regenerate = createRoute({
  method: 'post',
  path: '/mfa/recovery-codes',
  tags,
  summary: 'Replace your recovery codes (needs a current code)',
  middleware,
  request: { body: codeBody },
  responses: {
    200: { description: 'New codes; the old ones stop working', content: json(recoveryCodes) },
    ...errorResponses(401, 403, 429),
  },
});

export function mfaRoutes({ services }: RouteDeps) {
  const { mfa } = services.auth;
  return router()
    .openapi(status, async (c) => ok(c, await mfa.status(authOf(c).user.id)))
    .openapi(begin, async (c) => {
      c.header('Cache-Control', 'no-store');
      return ok(c, await mfa.beginTotp(authOf(c).user));
    })
    .openapi(confirm, async (c) => {
      const { code } = c.req.valid('json');
      c.header('Cache-Control', 'no-store');
      return ok(c, await mfa.confirmTotp(authOf(c).user, code, requestMeta(c)));
    })
    .openapi(disable, async (c) => {
      await mfa.disable(authOf(c).user, c.req.valid('json').code, requestMeta(c));
      return ok(c, { totp: 'disabled' as const });
    })
    .openapi(regenerate, async (c) => {
      const { code } = c.req.valid('json');
      c.header('Cache-Control', 'no-store');
      return ok(c, await mfa.regenerateRecoveryCodes(authOf(c).user, code, requestMeta(c)));
    });
}
