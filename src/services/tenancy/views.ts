import type { CompanyRow, OrganizationRow, ProjectRow, TeamRow } from '../../db/schema';
import { can, type Standing } from '../policy';

/** JSON shapes: serial ids as strings, ISO timestamps (API.md). */

export function publicCompanyView(row: Pick<CompanyRow, 'id' | 'name'>) {
  return { id: row.id, name: row.name };
}

/** Members see the company; owners/admins (and platform admins) also its billing fields. */
export function companyView(row: CompanyRow, standing: Standing) {
  const base = {
    id: row.id,
    name: row.name,
    tokens: row.tokens,
    role: standing.company,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
  return can(standing, 'company.readFull')
    ? { ...base, stripeCustomerId: row.stripeCustomerId }
    : base;
}

export function organizationView(row: OrganizationRow) {
  return {
    id: String(row.id),
    companyId: row.companyId,
    name: row.name,
    slug: row.slug,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function teamView(row: TeamRow) {
  return {
    id: String(row.id),
    organizationId: String(row.organizationId),
    companyId: row.companyId,
    name: row.name,
    slug: row.slug,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function projectSummaryView(row: Omit<ProjectRow, 'graph'>) {
  return {
    id: String(row.id),
    teamId: String(row.teamId),
    organizationId: String(row.organizationId),
    companyId: row.companyId,
    name: row.name,
    slug: row.slug,
    description: row.description,
    visibility: row.visibility,
    createdBy: row.createdBy === null ? null : String(row.createdBy),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function projectView(row: ProjectRow) {
  return { ...projectSummaryView(row), graph: row.graph };
}
