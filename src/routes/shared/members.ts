import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/errors';
import { authOf, requireAuth } from '../../http/middleware/auth';
import { requestMeta } from '../../http/request-meta';
import { envelope, idParam, ok, okPage, pagedEnvelope, pageQuery } from '../../http/respond';
import { jsonBody } from '../../http/validation';
import { serialId } from '../../lib/serial-id';
import type { Level } from '../../services/tenancy';
import { type RouteDeps, router } from '../deps';
import { invitationRecord, memberRecord } from './tenancy-schemas';

/**
 * `GET/POST /{id}/members`, `PATCH/DELETE /{id}/members/{userId}` for one level. Adding an
 * email that has no account answers 201 with an invitation and its acceptance link instead.
 */
export function memberRoutes({ services }: RouteDeps, level: Level) {
  const tags = [`${level === 'company' ? 'companies' : `${level}s`}`];
  const roles =
    level === 'team'
      ? (['maintainer', 'member'] as const)
      : (['owner', 'admin', 'member'] as const);
  const role = z.enum(roles);
  const parent = z.object({ id: z.string().max(64) });
  const memberParams = parent.extend({ userId: idParam.shape.id });

  const addBody = z
    .strictObject({
      userId: serialId.optional(),
      email: z.string().min(1).max(320).optional(),
      role: role.default('member'),
    })
    .refine((b) => (b.userId === undefined) !== (b.email === undefined), {
      message: 'Give exactly one of userId or email',
      path: ['userId'],
    })
    .openapi(`${level}MemberAdd`);

  const added = z.object({
    kind: z.enum(['member', 'invitation']),
    member: memberRecord.partial().optional(),
    invitation: invitationRecord.optional(),
    acceptUrl: z.string().optional(),
    /** Whether the invitation was also mailed (SMTP_URL configured and the server took it). */
    emailSent: z.boolean().optional(),
  });

  const list = createRoute({
    method: 'get',
    path: '/{id}/members',
    tags,
    summary: `List ${level} members`,
    middleware: [requireAuth] as const,
    request: { params: parent, query: z.object(pageQuery) },
    responses: {
      200: {
        description: 'Members',
        content: { 'application/json': { schema: pagedEnvelope(memberRecord) } },
      },
      ...errorResponses(401, 404),
    },
  });
  const add = createRoute({
    method: 'post',
    path: '/{id}/members',
    tags,
    summary: `Add a ${level} member (or invite an email without an account)`,
    middleware: [requireAuth] as const,
    request: { params: parent, body: jsonBody(addBody) },
    responses: {
      201: {
        description: 'Member added or invitation created',
        content: { 'application/json': { schema: envelope(added) } },
      },
      ...errorResponses(401, 403, 404, 409),
    },
  });
  const change = createRoute({
    method: 'patch',
    path: '/{id}/members/{userId}',
    tags,
    summary: `Change a ${level} member's role`,
    middleware: [requireAuth] as const,
    request: { params: memberParams, body: jsonBody(z.strictObject({ role })) },
    responses: {
      200: {
        description: 'Changed',
        content: {
          'application/json': {
            schema: envelope(z.object({ userId: z.string(), role: z.string() })),
          },
        },
      },
      ...errorResponses(401, 403, 404, 409),
    },
  });
  const remove = createRoute({
    method: 'delete',
    path: '/{id}/members/{userId}',
    tags,
    summary: `Remove a ${level} member (and their memberships below)`,
    middleware: [requireAuth] as const,
    request: { params: memberParams },
    responses: {
      200: {
        description: 'Removed',
        content: { 'application/json': { schema: envelope(z.object({ userId: z.string() })) } },
      },
      ...errorResponses(401, 403, 404, 409),
    },
  });

  const tenancy = services.tenancy.directory;
  return router()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { id } = c.req.valid('param');
      const { data, total } = await tenancy.listMembers(authOf(c).user, level, id, query);
      return okPage(c, data, query, total);
    })
    .openapi(add, async (c) => {
      const { id } = c.req.valid('param');
      const result = await tenancy.addMember(
        authOf(c).user,
        level,
        id,
        c.req.valid('json'),
        requestMeta(c),
      );
      return ok(c, result, 201);
    })
    .openapi(change, async (c) => {
      const { id, userId } = c.req.valid('param');
      const { role: wanted } = c.req.valid('json');
      return ok(
        c,
        await tenancy.changeMemberRole(authOf(c).user, level, id, userId, wanted, requestMeta(c)),
      );
    })
    .openapi(remove, async (c) => {
      const { id, userId } = c.req.valid('param');
      await tenancy.removeMember(authOf(c).user, level, id, userId, requestMeta(c));
      return ok(c, { userId: String(userId) });
    });
}
