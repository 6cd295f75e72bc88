import type { CompanyRow, OrganizationRow, ProjectRow, TeamRow } from '../../db/schema';
import { can, type Standing } from '../policy';

/**
 * Objects as manifests. Applying what these produce (with or without the `status` block)
 * yields `unchanged`: every spec field is one apply compares.
 */

const API_VERSION = 'kubegram.io/v1';

const status = (row: { id: string | number; createdAt: Date; updatedAt: Date }) => ({
  id: String(row.id),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export function companyManifestOf(row: CompanyRow, standing: Standing, withStatus: boolean) {
  const spec: Record<string, unknown> = { companyID: row.id };
  // Billing fields only for those who may see them; tokens are a balance, not configuration.
  if (can(standing, 'company.readFull') && row.stripeCustomerId !== null) {
    spec.stripeCustomerID = row.stripeCustomerId;
  }
  return {
    apiVersion: API_VERSION,
    kind: 'Company',
    metadata: { name: row.name },
    spec,
    ...(withStatus ? { status: { ...status(row), tokens: row.tokens } } : {}),
  };
}

export function organizationManifestOf(row: OrganizationRow, withStatus: boolean) {
  return {
    apiVersion: API_VERSION,
    kind: 'Organization',
    metadata: { name: row.slug },
    spec: { companyID: row.companyId, displayName: row.name },
    ...(withStatus ? { status: status(row) } : {}),
  };
}

export function teamManifestOf(row: TeamRow, organization: OrganizationRow, withStatus: boolean) {
  return {
    apiVersion: API_VERSION,
    kind: 'Team',
    metadata: { name: row.slug },
    spec: { companyID: row.companyId, organization: organization.slug, displayName: row.name },
    ...(withStatus ? { status: status(row) } : {}),
  };
}

export function projectManifestOf(
  row: ProjectRow,
  organization: OrganizationRow,
  team: TeamRow,
  withStatus: boolean,
) {
  return {
    apiVersion: API_VERSION,
    kind: 'Project',
    metadata: { name: row.slug },
    spec: {
      companyID: row.companyId,
      organization: organization.slug,
      team: team.slug,
      displayName: row.name,
      description: row.description,
      visibility: row.visibility,
      graph: row.graph,
    },
    ...(withStatus ? { status: status(row) } : {}),
  };
}
