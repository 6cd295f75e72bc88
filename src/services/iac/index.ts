import { stringify } from 'yaml';
import type { Database } from '../../db/client';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { RequestMeta } from '../audit/audit-service';
import type { AuthUser } from '../auth/types';
import type { TenancyService } from '../tenancy';
import { deleteCompany } from '../tenancy/companies';
import type { Queryable } from '../tenancy/context';
import {
  companiesNamed,
  companyTree,
  parentOrganization,
  projectBySlug,
  teamBySlug,
} from '../tenancy/lookup';
import { enableMemo } from '../tenancy/memo';
import { deleteOrganization } from '../tenancy/organizations';
import { deleteProject } from '../tenancy/projects';
import {
  resolveCompany,
  resolveOrganization,
  resolveProject,
  resolveTeam,
} from '../tenancy/resolve';
import { deleteTeam } from '../tenancy/teams';
import { type ApplyResult, applyManifests } from './apply';
import { atField } from './errors';
import type { Kind } from './manifest';
import { parseManifests } from './parse';
import {
  companyManifestOf,
  organizationManifestOf,
  projectManifestOf,
  teamManifestOf,
} from './render';
import { type ParentRefs, ParentResolver } from './resolve-parents';

/** Thrown inside the transaction of a dry run so that nothing it did is kept. */
class DryRunRollback extends Error {
  constructor(readonly results: ApplyResult[]) {
    super('dry run');
  }
}

export interface IacServiceDeps {
  db: Database;
  tenancy: TenancyService;
}

/**
 * Kubernetes-style manifests for tenancy objects: another door into the tenancy services, with
 * their policy checks and audit rows, never a second implementation.
 */
export class IacService {
  constructor(private readonly deps: IacServiceDeps) {}

  /** One transaction for the whole file: any error applies nothing. */
  async apply(
    actor: AuthUser,
    body: string,
    contentType: string,
    dryRun: boolean,
    meta: RequestMeta,
  ) {
    const manifests = parseManifests(body, contentType);
    let touched = new Set<number>();
    try {
      const results = await this.deps.db.transaction(async (tx) => {
        enableMemo(tx);
        const call = this.deps.tenancy.withinTransaction(tx, actor, meta);
        touched = call.touchedUsers;
        const results = await applyManifests(call, manifests);
        if (dryRun) throw new DryRunRollback(results);
        return results;
      });
      await this.deps.tenancy.afterCommit(touched);
      return { dryRun: false, results };
    } catch (err) {
      if (err instanceof DryRunRollback) return { dryRun: true, results: err.results };
      throw err;
    }
  }

  /** The object named `name` of `kind`, found within the parents given. */
  private async find(q: Queryable, actor: AuthUser, kind: Kind, name: string, refs: ParentRefs) {
    const parents = new ParentResolver(q, actor);
    switch (kind) {
      case 'Company': {
        if (refs.companyID) return { kind, ...(await resolveCompany(q, actor, refs.companyID)) };
        const [first, second] = await companiesNamed(q, actor, name);
        if (!first) throw new NotFoundError('Company');
        if (second)
          throw new ValidationError('Several of your companies have this name', [
            { path: 'companyID', message: 'Pass ?companyID=' },
          ]);
        return { kind, ...(await resolveCompany(q, actor, first.id)) };
      }
      case 'Organization': {
        const companyId = await parents.companyId(refs, false);
        const org = await parents.organization({
          ...refs,
          companyID: companyId,
          organization: name,
          organizationID: undefined,
        });
        return { kind, ...(await resolveOrganization(q, actor, org.id)) };
      }
      case 'Team': {
        const org = await parents.organization(refs);
        const row = await teamBySlug(q, org.companyId, org.id, name);
        if (!row) throw new NotFoundError('Team');
        return { kind, ...(await resolveTeam(q, actor, row.id)), organization: org };
      }
      case 'Project': {
        const team = await parents.team(refs);
        const row = await projectBySlug(q, team.companyId, team.id, name);
        if (!row) throw new NotFoundError('Project');
        const org = await resolveOrganization(q, actor, team.organizationId).then(
          (r) => r.row,
          () => undefined,
        );
        return { kind, ...(await resolveProject(q, actor, row.id)), team, organization: org };
      }
    }
  }

  async get(actor: AuthUser, kind: Kind, name: string, refs: ParentRefs) {
    const found = await this.find(this.deps.db, actor, kind, name, refs);
    switch (found.kind) {
      case 'Company':
        return companyManifestOf(found.row, found.standing, true);
      case 'Organization':
        return organizationManifestOf(found.row, true);
      case 'Team':
        return teamManifestOf(found.row, found.organization, true);
      case 'Project': {
        // A public project's reader may not see its organization; the slug is not secret to them.
        const org =
          found.organization ??
          (await parentOrganization(this.deps.db, found.row.companyId, found.row.organizationId))!;
        return projectManifestOf(found.row, org, found.team, true);
      }
    }
  }

  remove(actor: AuthUser, kind: Kind, name: string, refs: ParentRefs, meta: RequestMeta) {
    return this.deps.tenancy.write(actor, meta, async (call) => {
      const found = await this.find(call.tx, actor, kind, name, refs);
      if (found.kind === 'Company') await deleteCompany(call, found.row.id);
      if (found.kind === 'Organization') await deleteOrganization(call, found.row.id);
      if (found.kind === 'Team') await deleteTeam(call, found.row.id);
      if (found.kind === 'Project') await deleteProject(call, found.row.id);
      return { kind, name, id: String(found.row.id) };
    });
  }

  /** The company and everything in it the caller can read, as multi-document YAML. */
  async export(actor: AuthUser, companyId: string): Promise<string> {
    const company = await atField('companyID', () =>
      resolveCompany(this.deps.db, actor, companyId),
    );
    const tree = await companyTree(this.deps.db, actor, companyId);
    const orgs = new Map(tree.organizations.map((o) => [o.id, o]));
    const teams = new Map(
      tree.teams.filter((t) => orgs.has(t.organizationId)).map((t) => [t.id, t]),
    );
    const docs: unknown[] = [companyManifestOf(company.row, company.standing, false)];
    for (const org of orgs.values()) docs.push(organizationManifestOf(org, false));
    for (const team of teams.values())
      docs.push(teamManifestOf(team, orgs.get(team.organizationId)!, false));
    for (const project of tree.projects) {
      const team = teams.get(project.teamId);
      if (team) docs.push(projectManifestOf(project, orgs.get(team.organizationId)!, team, false));
    }
    return docs.map((doc) => stringify(doc, { aliasDuplicateObjects: false })).join('---\n');
  }
}
