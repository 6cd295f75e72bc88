import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, ok } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import type { RouteDeps } from '../deps';
import { router } from '../deps';

const certificateSchema = z
  .object({
    id: z.string(),
    companyId: z.string(),
    name: z.string(),
    alg: z.string().openapi({ example: 'ES256' }),
    fingerprint: z.string().openapi({ description: 'RFC 7638 JWK thumbprint (SHA-256)' }),
    publicJwk: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('CompanyCertificate');

const companyParam = z.object({ id: z.uuid() });
const tags = ['certificates'];

const list = createRoute({
  method: 'get',
  path: '/{id}/certificates',
  tags,
  summary: 'Public keys registered for the company (owner/admin)',
  middleware: [requireAuth] as const,
  request: { params: companyParam },
  responses: {
    200: {
      description: 'Certificates',
      content: { 'application/json': { schema: envelope(z.array(certificateSchema)) } },
    },
    ...errorResponses(401, 403, 404),
  },
});

const create = createRoute({
  method: 'post',
  path: '/{id}/certificates',
  tags,
  summary: 'Register a public key (PEM or JWK: RSA ≥ 2048, EC P-256, Ed25519)',
  description:
    'Services then sign RFC 7523 assertions (iss = sub = company:<id>, kid = certificate id, aud = APP_URL/oauth/token, exp ≤ 5 min, single-use jti) and trade them at POST /oauth/token.',
  middleware: [requireAuth] as const,
  request: {
    params: companyParam,
    body: jsonBody(
      z.strictObject({
        name: z.string().trim().min(1).max(100),
        publicKey: z.string().min(1).max(16_384).optional(),
        jwk: z.record(z.string(), z.unknown()).optional(),
        expiresAt: z.iso.datetime({ offset: true }).optional(),
      }),
    ),
  },
  responses: {
    201: {
      description: 'Registered',
      content: { 'application/json': { schema: envelope(certificateSchema) } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}/certificates/{certId}',
  tags,
  summary: 'Revoke a certificate; its tokens stop working everywhere at once',
  middleware: [requireAuth] as const,
  request: { params: companyParam.extend({ certId: z.string().max(64) }) },
  responses: {
    200: {
      description: 'Revoked',
      content: { 'application/json': { schema: envelope(certificateSchema) } },
    },
    ...errorResponses(401, 403, 404),
  },
});

/** `/{id}/certificates` of /api/public/v1/companies. */
export function certificateRoutes({ services }: RouteDeps) {
  const certificates = services.tokens.certificates;
  return router()
    .openapi(list, async (c) => {
      const { id } = c.req.valid('param');
      return ok(c, await certificates.list(authOf(c).user, id));
    })
    .openapi(create, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const created = await certificates.create(
        authOf(c).user,
        id,
        {
          name: body.name,
          publicKey: body.publicKey,
          jwk: body.jwk,
          expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
        },
        requestMeta(c),
      );
      return ok(c, created, 201);
    })
    .openapi(remove, async (c) => {
      const { id, certId } = c.req.valid('param');
      const revoked = await certificates.revoke(authOf(c).user, id, certId, requestMeta(c));
      return ok(c, revoked);
    });
}
