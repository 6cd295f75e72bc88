import { z } from '@hono/zod-openapi';
import { serialId } from '../../lib/serial-id';
import type { Kind } from '../../services/iac/manifest';

const KIND_BY_PATH: Record<string, Kind> = {
  company: 'Company',
  companies: 'Company',
  organization: 'Organization',
  organizations: 'Organization',
  team: 'Team',
  teams: 'Team',
  project: 'Project',
  projects: 'Project',
};

/** `{kind}` as kubectl accepts it: `Team`, `team` or `teams`. */
export const kindParam = z
  .string()
  .max(20)
  .transform((v, ctx) => {
    const kind = KIND_BY_PATH[v.toLowerCase()];
    if (!kind) {
      ctx.addIssue({ code: 'custom', message: 'Must be Company, Organization, Team or Project' });
      return z.NEVER;
    }
    return kind;
  })
  .openapi({ type: 'string', example: 'Organization' });

/** Parent references, as in a manifest's spec. */
export const parentQuery = {
  companyID: z.uuid().optional(),
  company: z.string().min(1).max(200).optional(),
  organizationID: serialId.optional(),
  organization: z.string().min(1).max(63).optional(),
  teamID: serialId.optional(),
  team: z.string().min(1).max(63).optional(),
};

export const manifestSchema = z
  .object({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z.object({ name: z.string() }),
    spec: z.record(z.string(), z.unknown()),
    status: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('Manifest');

export const applyResult = z
  .object({
    dryRun: z.boolean(),
    results: z.array(
      z.object({
        index: z.number(),
        kind: z.string(),
        name: z.string(),
        id: z.string(),
        action: z.enum(['created', 'configured', 'unchanged']),
      }),
    ),
  })
  .openapi('ApplyResult');

export const wantsYaml = (accept: string | undefined) => /yaml/i.test(accept ?? '');
