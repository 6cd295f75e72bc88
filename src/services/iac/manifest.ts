import { z } from 'zod';
import { serialId as serial } from '../../lib/serial-id';
import { SLUG_PATTERN } from '../tenancy/context';

/**
 * Kubernetes-style manifests for tenancy objects. `metadata.name` is the object's name within
 * its parent: a company's name, or the slug of an organization, team or project. Parents are
 * referenced by id (`companyID`, `organizationID`, `teamID`, as in the product documents) or by
 * name (`company`, `organization`, `team`).
 */

export const API_VERSIONS = ['kubegram.io/v1', 'v1'] as const;
export const KINDS = ['Company', 'Organization', 'Team', 'Project'] as const;
export type Kind = (typeof KINDS)[number];

const slugName = z
  .string()
  .regex(
    SLUG_PATTERN,
    'Lower-case letters, digits and dashes (1-63), not starting or ending with a dash',
  );
const displayName = z.string().trim().min(1).max(200);
const uuid = z.uuid();

const metadata = (name: z.ZodType<string>) =>
  z.strictObject({
    name,
    labels: z.record(z.string(), z.string().max(256)).optional(),
    annotations: z.record(z.string(), z.string().max(4096)).optional(),
  });

const envelope = <K extends Kind, S extends z.ZodType, N extends z.ZodType<string>>(
  kind: K,
  name: N,
  spec: S,
) =>
  z.strictObject({
    apiVersion: z.enum(API_VERSIONS),
    kind: z.literal(kind),
    metadata: metadata(name),
    spec,
    /** Ignored on apply, so a GET result can be applied back unchanged. */
    status: z.unknown().optional(),
  });

const companyRef = { companyID: uuid.optional(), company: z.string().min(1).max(200).optional() };

export const companyManifest = envelope(
  'Company',
  z.string().trim().min(1).max(200),
  z
    .strictObject({
      /** Addresses an existing company by id (e.g. to rename it); else it is found by name. */
      companyID: uuid.optional(),
      stripeCustomerID: z.string().max(200).nullable().optional(),
      tokens: z.number().int().min(0).max(2_000_000_000).optional(),
    })
    .default({}),
);

export const organizationManifest = envelope(
  'Organization',
  slugName,
  z.strictObject({ ...companyRef, displayName: displayName.optional() }),
);

const organizationRef = {
  ...companyRef,
  organizationID: serial.optional(),
  organization: slugName.optional(),
};

export const teamManifest = envelope(
  'Team',
  slugName,
  z.strictObject({ ...organizationRef, displayName: displayName.optional() }),
);

export const projectManifest = envelope(
  'Project',
  slugName,
  z.strictObject({
    ...organizationRef,
    teamID: serial.optional(),
    team: slugName.optional(),
    displayName: displayName.optional(),
    description: z.string().max(2000).nullable().optional(),
    visibility: z.enum(['private', 'public']).optional(),
    graph: z.unknown().optional(),
  }),
);

export type CompanyManifest = z.infer<typeof companyManifest>;
export type OrganizationManifest = z.infer<typeof organizationManifest>;
export type TeamManifest = z.infer<typeof teamManifest>;
export type ProjectManifest = z.infer<typeof projectManifest>;
export type Manifest = CompanyManifest | OrganizationManifest | TeamManifest | ProjectManifest;

export const SCHEMAS: Record<Kind, z.ZodType<Manifest>> = {
  Company: companyManifest,
  Organization: organizationManifest,
  Team: teamManifest,
  Project: projectManifest,
};
