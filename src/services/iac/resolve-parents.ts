import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import type { AuthUser } from '../auth/types';
import type { Queryable } from '../tenancy/context';
import { companiesNamed, organizationBySlug, teamBySlug } from '../tenancy/lookup';
import {
  resolveCompany,
  resolveOrganization,
  resolveOrganizationBySlug,
  resolveTeam,
} from '../tenancy/resolve';
import { visibleCompanyIds } from '../tenancy/scope';
import { atField } from './errors';

/**
 * Parent references in a manifest spec, by id or by name. Everything found goes through
 * resolve*() (the policy), so a parent the caller cannot see is a 404 on that field, exactly as
 * in the REST API. Results are memoised per apply, so 1,000 projects in one team resolve the
 * team once.
 */

export interface ParentRefs {
  companyID?: string;
  company?: string;
  organizationID?: number;
  organization?: string;
  teamID?: number;
  team?: string;
}

export class ParentResolver {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    private readonly tx: Queryable,
    private readonly actor: AuthUser,
  ) {}

  private once<T>(key: string, work: () => Promise<T>): Promise<T> {
    let hit = this.memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = work();
      this.memo.set(key, hit);
      // A failed lookup is not remembered: the error belongs to the document that caused it.
      hit.catch(() => this.memo.delete(key));
    }
    return hit;
  }

  private readonly children = new Map<string, Map<string, { slug: string }>>();

  /**
   * The live children of one parent by slug, loaded once per apply and kept current by
   * `remember` as documents create or change them.
   */
  async childrenOf<T extends { slug: string }>(key: string, load: () => Promise<T[]>) {
    let map = this.children.get(key) as Map<string, T> | undefined;
    if (!map) {
      map = new Map((await load()).map((row) => [row.slug, row]));
      this.children.set(key, map);
    }
    return map;
  }

  remember(key: string, row: { slug: string }) {
    this.children.get(key)?.set(row.slug, row);
  }

  async companyId(spec: ParentRefs, required = true): Promise<string | undefined> {
    const { tx, actor } = this;
    if (spec.companyID) {
      const id = spec.companyID;
      return atField('spec.companyID', () =>
        this.once(`c:${id}`, async () => (await resolveCompany(tx, actor, id)).row.id),
      );
    }
    if (spec.company) {
      const name = spec.company;
      return atField('spec.company', () =>
        this.once(`cn:${name}`, async () => {
          const rows = await companiesNamed(tx, actor, name);
          if (rows.length === 0) throw new NotFoundError('Company');
          if (rows.length > 1) {
            throw new ConflictError(`Several of your companies are named "${name}"; use companyID`);
          }
          return rows[0]!.id;
        }),
      );
    }
    if (!required) return undefined;
    throw Object.assign(
      new ValidationError('A parent company is required', [
        { path: 'companyID', message: 'Give spec.companyID or spec.company' },
      ]),
      { field: 'spec.companyID' },
    );
  }

  async organization(spec: ParentRefs) {
    const { tx, actor } = this;
    if (spec.organizationID) {
      const id = spec.organizationID;
      return atField('spec.organizationID', () =>
        this.once(`o:${id}`, async () => (await resolveOrganization(tx, actor, id)).row),
      );
    }
    if (!spec.organization) {
      throw Object.assign(
        new ValidationError('A parent organization is required', [
          { path: 'organizationID', message: 'Give spec.organizationID or spec.organization' },
        ]),
        { field: 'spec.organization' },
      );
    }
    const slug = spec.organization;
    const companyId = await this.companyId(spec, false);
    return atField('spec.organization', () =>
      this.once(`on:${companyId ?? '*'}:${slug}`, async () => {
        if (!companyId) {
          return (await resolveOrganizationBySlug(tx, actor, slug, undefined, visibleCompanyIds))
            .row;
        }
        const row = await organizationBySlug(tx, companyId, slug);
        if (!row) throw new NotFoundError('Organization');
        return (await resolveOrganization(tx, actor, row.id)).row;
      }),
    );
  }

  async team(spec: ParentRefs) {
    const { tx, actor } = this;
    if (spec.teamID) {
      const id = spec.teamID;
      return atField('spec.teamID', () =>
        this.once(`t:${id}`, async () => (await resolveTeam(tx, actor, id)).row),
      );
    }
    if (!spec.team) {
      throw Object.assign(
        new ValidationError('A parent team is required', [
          { path: 'teamID', message: 'Give spec.teamID or spec.team (with its organization)' },
        ]),
        { field: 'spec.team' },
      );
    }
    const slug = spec.team;
    const org = await this.organization(spec);
    return atField('spec.team', () =>
      this.once(`tn:${org.id}:${slug}`, async () => {
        const row = await teamBySlug(tx, org.companyId, org.id, slug);
        if (!row) throw new NotFoundError('Team');
        return (await resolveTeam(tx, actor, row.id)).row;
      }),
    );
  }
}
