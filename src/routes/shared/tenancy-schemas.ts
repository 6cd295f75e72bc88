import { z } from '@hono/zod-openapi';
import { SLUG_PATTERN } from '../../services/tenancy/context';

/** Request and response shapes shared by the tenancy routes. Bodies are strict: unknown keys are 400. */

export const name = z.string().trim().min(1).max(200).openapi({ example: 'Engineering' });
export const slug = z
  .string()
  .regex(
    SLUG_PATTERN,
    'Lower-case letters, digits and dashes (1-63), not starting or ending with a dash',
  )
  .openapi({ example: 'engineering' });
export const uuid = z.uuid().openapi({ example: '0b0f9c4e-6c1e-4c1b-9a57-5d0f7f4b1e2a' });

export const sortOf = <T extends string>(fields: readonly T[]) =>
  z.enum(fields.flatMap((f) => [f, `-${f}`]) as [string, ...string[]]).optional();

export const deletedBody = z.object({ id: z.string() });

export const companyRecord = z
  .object({
    id: z.string(),
    name: z.string(),
    tokens: z.number().optional(),
    role: z.enum(['owner', 'admin', 'member']).nullable().optional(),
    stripeCustomerId: z.string().nullable().optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .openapi('Company');

export const organizationRecord = z
  .object({
    id: z.string(),
    companyId: z.string(),
    name: z.string(),
    slug: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Organization');

export const teamRecord = z
  .object({
    id: z.string(),
    organizationId: z.string(),
    companyId: z.string(),
    name: z.string(),
    slug: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Team');

export const projectSummary = z
  .object({
    id: z.string(),
    teamId: z.string(),
    organizationId: z.string(),
    companyId: z.string(),
    name: z.string(),
    slug: z.string(),
    description: z.string().nullable(),
    visibility: z.enum(['private', 'public']),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('ProjectSummary');

export const graph = z
  .object({
    nodes: z.array(z.looseObject({ id: z.string() })),
    edges: z.array(z.looseObject({ source: z.string(), target: z.string() })),
  })
  .loose()
  .openapi('ProjectGraph');

export const projectRecord = projectSummary.extend({ graph }).openapi('Project');

export const memberRecord = z
  .object({
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.string(),
    createdAt: z.string(),
  })
  .openapi('Member');

export const invitationRecord = z
  .object({
    id: z.string(),
    email: z.string(),
    scope: z.enum(['company', 'organization', 'team']),
    companyId: z.string(),
    organizationId: z.string().nullable(),
    teamId: z.string().nullable(),
    role: z.string(),
    status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
    expiresAt: z.string(),
    createdAt: z.string(),
  })
  .openapi('Invitation');
