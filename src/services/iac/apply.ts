import { ConflictError } from '../../lib/errors';
import { createCompany, updateCompany } from '../tenancy/companies';
import type { WriteCall } from '../tenancy/context';
import { sameJson, validateGraph } from '../tenancy/graph';
import { companiesNamed, organizationsOf, projectsOf, teamsOf } from '../tenancy/lookup';
import { createOrganization, updateOrganization } from '../tenancy/organizations';
import { createProject, updateProject } from '../tenancy/projects';
import {
  resolveCompany,
  resolveOrganization,
  resolveProject,
  resolveTeam,
} from '../tenancy/resolve';
import { createTeam, updateTeam } from '../tenancy/teams';
import { atField, inDocument } from './errors';
import type {
  CompanyManifest,
  Manifest,
  OrganizationManifest,
  ProjectManifest,
  TeamManifest,
} from './manifest';
import { ParentResolver } from './resolve-parents';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  index: number;
  kind: Manifest['kind'];
  name: string;
  id: string;
  action: ApplyAction;
}

/**
 * Applies manifests in order inside the caller's transaction, through the same tenancy
 * functions as the REST API (and so the same policy checks and audit rows). Each object is
 * found by `metadata.name` within its parent; it is created when absent, updated when a field
 * differs ("configured"), and left alone otherwise ("unchanged": reading it is enough).
 */
export async function applyManifests(
  call: WriteCall,
  manifests: Manifest[],
): Promise<ApplyResult[]> {
  const parents = new ParentResolver(call.tx, call.actor);
  const results: ApplyResult[] = [];
  for (const [index, manifest] of manifests.entries()) {
    const label = `${manifest.kind} ${manifest.metadata.name}`;
    try {
      const { id, action } = await applyOne(call, parents, manifest);
      results.push({ index, kind: manifest.kind, name: manifest.metadata.name, id, action });
    } catch (err) {
      throw inDocument(err, index, label);
    }
  }
  return results;
}

function applyOne(call: WriteCall, parents: ParentResolver, m: Manifest) {
  switch (m.kind) {
    case 'Company':
      return applyCompany(call, m);
    case 'Organization':
      return applyOrganization(call, parents, m);
    case 'Team':
      return applyTeam(call, parents, m);
    case 'Project':
      return applyProject(call, parents, m);
  }
}

async function applyCompany(call: WriteCall, m: CompanyManifest) {
  const { tx, actor } = call;
  const name = m.metadata.name;
  let existing = m.spec.companyID
    ? await atField(
        'spec.companyID',
        async () => (await resolveCompany(tx, actor, m.spec.companyID!)).row,
      )
    : undefined;
  if (!existing && !m.spec.companyID) {
    const named = await companiesNamed(tx, actor, name);
    if (named.length > 1) {
      throw new ConflictError(`Several of your companies are named "${name}"; add spec.companyID`);
    }
    existing = named[0];
  }
  if (!existing) {
    const row = await createCompany(call, {
      name,
      stripeCustomerId: m.spec.stripeCustomerID ?? undefined,
      tokens: m.spec.tokens,
    });
    return { id: row.id, action: 'created' as const };
  }
  const patch: { name?: string; stripeCustomerId?: string | null; tokens?: number } = {};
  if (existing.name !== name) patch.name = name;
  if (
    m.spec.stripeCustomerID !== undefined &&
    m.spec.stripeCustomerID !== existing.stripeCustomerId
  )
    patch.stripeCustomerId = m.spec.stripeCustomerID;
  if (m.spec.tokens !== undefined && m.spec.tokens !== existing.tokens)
    patch.tokens = m.spec.tokens;
  if (Object.keys(patch).length === 0) return { id: existing.id, action: 'unchanged' as const };
  await updateCompany(call, existing.id, patch);
  return { id: existing.id, action: 'configured' as const };
}

async function applyOrganization(
  call: WriteCall,
  parents: ParentResolver,
  m: OrganizationManifest,
) {
  const companyId = (await parents.companyId(m.spec))!;
  const slug = m.metadata.name;
  const key = `organizations:${companyId}`;
  const siblings = await parents.childrenOf(key, () => organizationsOf(call.tx, companyId));
  const existing = siblings.get(slug);
  if (!existing) {
    const row = await createOrganization(call, {
      companyId,
      name: m.spec.displayName ?? slug,
      slug,
    });
    parents.remember(key, row);
    return { id: String(row.id), action: 'created' as const };
  }
  await resolveOrganization(call.tx, call.actor, existing.id);
  if (m.spec.displayName === undefined || m.spec.displayName === existing.name) {
    return { id: String(existing.id), action: 'unchanged' as const };
  }
  parents.remember(
    key,
    (await updateOrganization(call, existing.id, { name: m.spec.displayName })).row,
  );
  return { id: String(existing.id), action: 'configured' as const };
}

async function applyTeam(call: WriteCall, parents: ParentResolver, m: TeamManifest) {
  const org = await parents.organization(m.spec);
  const slug = m.metadata.name;
  const key = `teams:${org.id}`;
  const siblings = await parents.childrenOf(key, () => teamsOf(call.tx, org.companyId, org.id));
  const existing = siblings.get(slug);
  if (!existing) {
    const row = await createTeam(call, {
      organizationId: org.id,
      name: m.spec.displayName ?? slug,
      slug,
    });
    parents.remember(key, row);
    return { id: String(row.id), action: 'created' as const };
  }
  await resolveTeam(call.tx, call.actor, existing.id);
  if (m.spec.displayName === undefined || m.spec.displayName === existing.name) {
    return { id: String(existing.id), action: 'unchanged' as const };
  }
  parents.remember(key, (await updateTeam(call, existing.id, { name: m.spec.displayName })).row);
  return { id: String(existing.id), action: 'configured' as const };
}

async function applyProject(call: WriteCall, parents: ParentResolver, m: ProjectManifest) {
  const team = await parents.team(m.spec);
  const slug = m.metadata.name;
  const key = `projects:${team.id}`;
  const siblings = await parents.childrenOf(key, () =>
    projectsOf(call.tx, team.companyId, team.id),
  );
  const existing = siblings.get(slug);
  if (!existing) {
    const row = await createProject(call, {
      teamId: team.id,
      name: m.spec.displayName ?? slug,
      slug,
      description: m.spec.description,
      visibility: m.spec.visibility,
      graph: m.spec.graph,
    });
    parents.remember(key, row);
    return { id: String(row.id), action: 'created' as const };
  }
  await resolveProject(call.tx, call.actor, existing.id);
  const patch: Parameters<typeof updateProject>[2] = {};
  if (m.spec.displayName !== undefined && m.spec.displayName !== existing.name)
    patch.name = m.spec.displayName;
  if (m.spec.description !== undefined && m.spec.description !== existing.description)
    patch.description = m.spec.description;
  if (m.spec.visibility !== undefined && m.spec.visibility !== existing.visibility)
    patch.visibility = m.spec.visibility;
  if (m.spec.graph !== undefined) {
    const graph = validateGraph(m.spec.graph);
    if (!sameJson(graph, existing.graph)) patch.graph = graph;
  }
  if (Object.keys(patch).length === 0)
    return { id: String(existing.id), action: 'unchanged' as const };
  parents.remember(key, (await updateProject(call, existing.id, patch)).row);
  return { id: String(existing.id), action: 'configured' as const };
}
