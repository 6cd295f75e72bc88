import type { ProjectRow } from '../../db/schema';
import { ForbiddenError, NotFoundError } from '../../lib/errors';
import type { RequestMeta } from '../audit/audit-service';
import { parseEmail } from '../auth/credentials';
import type { AuthUser } from '../auth/types';
import { can, effectiveCompanyRole, type MemberRole, type Standing } from '../policy';
import * as companies from './companies';
import type { Actor, TenancyContext, Transaction, WriteCall } from './context';
import * as invites from './invitations';
import type { ListQuery } from './listing';
import * as members from './members';
import * as orgs from './organizations';
import * as projects from './projects';
import { resolveCompany, resolveOrganizationBySlug, resolveProject } from './resolve';
import { visibleCompanyIds } from './scope';
import * as teams from './teams';
import { companyView, organizationView, projectSummaryView, projectView, teamView } from './views';

export { InsufficientTokensError } from './context';
export type { Level } from './members';

export interface TenancyDeps extends TenancyContext {
  /** PUBLIC_COMPANY_DIRECTORY: anonymous callers may list companies. */
  publicCompanyDirectory: boolean;
}

/**
 * The tenancy API other areas call (REST routes, IaC, code generation, certificates). Each
 * write runs in one transaction with its audit rows; callers that already hold a transaction
 * (IaC applying a whole file) use `withinTransaction`.
 */
export class TenancyService {
  constructor(private readonly deps: TenancyDeps) {}

  /** Runs `work` in a fresh transaction and refreshes cached users after the commit. */
  async write<T>(
    actor: AuthUser,
    meta: RequestMeta,
    work: (call: WriteCall) => Promise<T>,
  ): Promise<T> {
    const touchedUsers = new Set<number>();
    const result = await this.deps.db.transaction((tx) =>
      work({ tx, ctx: this.deps, actor, meta, touchedUsers }),
    );
    await this.afterCommit(touchedUsers);
    return result;
  }

  /** A WriteCall on a transaction the caller owns; call afterCommit once it has committed. */
  withinTransaction(tx: Transaction, actor: AuthUser, meta: RequestMeta): WriteCall {
    return { tx, ctx: this.deps, actor, meta, touchedUsers: new Set() };
  }

  async afterCommit(touchedUsers: Set<number>) {
    for (const id of touchedUsers) await this.deps.onUserChanged(id);
  }

  // ── companies ──────────────────────────────────────────────────────────
  async listCompanies(actor: Actor, query: companies.CompanyListQuery) {
    return companies.listCompanies(
      { ...this.deps, publicDirectory: this.deps.publicCompanyDirectory },
      actor,
      query,
    );
  }

  /** A company the caller may see (404 otherwise), shaped for them. */
  getCompany(actor: Actor, id: string) {
    return companies.getCompany(this.deps.db, actor, id);
  }

  async createCompany(actor: AuthUser, input: companies.CompanyInput, meta: RequestMeta) {
    const row = await this.write(actor, meta, (call) => companies.createCompany(call, input));
    return companyView(row, ownerStanding(actor));
  }

  async updateCompany(
    actor: AuthUser,
    id: string,
    patch: companies.CompanyPatch,
    meta: RequestMeta,
  ) {
    const { row, standing } = await this.write(actor, meta, (call) =>
      companies.updateCompany(call, id, patch),
    );
    return companyView(row, standing);
  }

  deleteCompany(actor: AuthUser, id: string, meta: RequestMeta) {
    return this.write(actor, meta, (call) => companies.deleteCompany(call, id));
  }

  /**
   * The caller's standing in a company: 404 if they cannot see it; with `atLeast`, 403 unless
   * their effective role is that strong. Returns the effective role.
   */
  async requireCompanyRole(
    actor: AuthUser,
    companyId: string,
    atLeast: MemberRole = 'member',
  ): Promise<MemberRole> {
    const { standing } = await resolveCompany(this.deps.db, actor, companyId);
    const action = atLeast === 'member' ? 'company.read' : 'company.update';
    const role = effectiveRole(standing);
    if (!can(standing, action) || (atLeast === 'owner' && role !== 'owner')) {
      throw new ForbiddenError(`Requires the company ${atLeast} role`);
    }
    return role;
  }

  /** Effective role in a company, or null when the caller cannot see it (never throws 404). */
  async companyRole(actor: AuthUser, companyId: string): Promise<MemberRole | null> {
    try {
      const { standing } = await resolveCompany(this.deps.db, actor, companyId);
      return effectiveRole(standing);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /** Atomic balance change (negative to spend); 402 when it would go below zero. */
  adjustTokens(
    companyId: string,
    delta: number,
    note?: { actorId: number | null; reason: string; meta?: RequestMeta },
    tx?: Transaction,
  ) {
    return companies.adjustTokens(tx ?? this.deps.db, companyId, delta, note);
  }

  // ── organizations ──────────────────────────────────────────────────────
  async listOrganizations(actor: AuthUser, query: orgs.OrganizationListQuery) {
    const { rows, total } = await orgs.listOrganizations(this.deps.db, actor, query);
    return { data: rows.map(organizationView), total };
  }

  async getOrganization(actor: AuthUser, id: number) {
    return organizationView(await orgs.getOrganization(this.deps.db, actor, id));
  }

  async getOrganizationBySlug(actor: AuthUser, slug: string, companyId?: string) {
    const { row } = await resolveOrganizationBySlug(
      this.deps.db,
      actor,
      slug,
      companyId,
      visibleCompanyIds,
    );
    return organizationView(row);
  }

  async createOrganization(actor: AuthUser, input: orgs.OrganizationInput, meta: RequestMeta) {
    return organizationView(
      await this.write(actor, meta, (call) => orgs.createOrganization(call, input)),
    );
  }

  async updateOrganization(
    actor: AuthUser,
    id: number,
    patch: orgs.OrganizationPatch,
    meta: RequestMeta,
  ) {
    const { row } = await this.write(actor, meta, (call) =>
      orgs.updateOrganization(call, id, patch),
    );
    return organizationView(row);
  }

  deleteOrganization(actor: AuthUser, id: number, meta: RequestMeta) {
    return this.write(actor, meta, (call) => orgs.deleteOrganization(call, id));
  }

  // ── teams ──────────────────────────────────────────────────────────────
  async listTeams(actor: AuthUser, query: teams.TeamListQuery) {
    const { rows, total } = await teams.listTeams(this.deps.db, actor, query);
    return { data: rows.map(teamView), total };
  }

  async getTeam(actor: AuthUser, id: number) {
    return teamView(await teams.getTeam(this.deps.db, actor, id));
  }

  async createTeam(actor: AuthUser, input: teams.TeamInput, meta: RequestMeta) {
    return teamView(await this.write(actor, meta, (call) => teams.createTeam(call, input)));
  }

  async updateTeam(actor: AuthUser, id: number, patch: teams.TeamPatch, meta: RequestMeta) {
    const { row } = await this.write(actor, meta, (call) => teams.updateTeam(call, id, patch));
    return teamView(row);
  }

  deleteTeam(actor: AuthUser, id: number, meta: RequestMeta) {
    return this.write(actor, meta, (call) => teams.deleteTeam(call, id));
  }

  // ── projects ───────────────────────────────────────────────────────────
  async listProjects(actor: Actor, query: projects.ProjectListQuery) {
    const { rows, total } = await projects.listProjects(this.deps.db, actor, query);
    return { data: rows.map(projectSummaryView), total };
  }

  /** The project row for a caller who may read it (404 otherwise). */
  getProjectRow(actor: Actor, id: number): Promise<ProjectRow> {
    return projects.getProject(this.deps.db, actor, id);
  }

  /** A project the caller may read, with its company's id: what code generation starts from. */
  async requireProject(actor: Actor, id: number, act?: 'project.update' | 'project.delete') {
    const { row, standing } = await resolveProject(this.deps.db, actor, id, act);
    return { project: row, standing };
  }

  async getProject(actor: Actor, id: number) {
    return projectView(await projects.getProject(this.deps.db, actor, id));
  }

  async createProject(actor: AuthUser, input: projects.ProjectInput, meta: RequestMeta) {
    return projectView(
      await this.write(actor, meta, (call) => projects.createProject(call, input)),
    );
  }

  async updateProject(
    actor: AuthUser,
    id: number,
    patch: projects.ProjectPatch,
    meta: RequestMeta,
  ) {
    const { row } = await this.write(actor, meta, (call) =>
      projects.updateProject(call, id, patch),
    );
    return projectView(row);
  }

  deleteProject(actor: AuthUser, id: number, meta: RequestMeta) {
    return this.write(actor, meta, (call) => projects.deleteProject(call, id));
  }

  // ── members and invitations ────────────────────────────────────────────
  async listMembers(actor: AuthUser, level: members.Level, id: string, page: ListQuery) {
    const { target } = await members.resolveTarget(this.deps.db, actor, level, id, false);
    const { rows, total } = await members.listMembers(this.deps.db, target, page);
    return { data: rows.map(memberView), total };
  }

  /**
   * Adds an existing user (by id or email) with a role. An email without an account gets an
   * invitation instead: `{invitation, acceptUrl}` is returned and nothing else changes.
   */
  async addMember(
    actor: AuthUser,
    level: members.Level,
    id: string,
    input: { userId?: number; email?: string; role: string },
    meta: RequestMeta,
  ) {
    const result = await this.write(actor, meta, async (call) => {
      const { target, standing } = await members.resolveTarget(call.tx, actor, level, id, true);
      const role = members.assertRole(level, input.role);
      const user = await members.findUser(call.tx, input);
      if (!user) {
        if (input.userId !== undefined || !input.email) throw new NotFoundError('User');
        members.assertMayGrant(level, standing, role);
        const email = parseEmail(input.email);
        const created = await invites.createInvitation(call, target, email, role);
        return {
          kind: 'invitation' as const,
          invitation: invites.invitationView(created.invitation, this.deps.clock.now()),
          acceptUrl: created.acceptUrl,
        };
      }
      await members.addMember(call, target, standing, user.id, role);
      return {
        kind: 'member' as const,
        member: { userId: String(user.id), email: user.email, name: user.name, role },
      };
    });
    if (result.kind === 'member') return result;
    // Mailed after the commit: a slow or broken mail server never holds the transaction, and
    // the link is in the response either way.
    return { ...result, emailSent: await this.mailInvitation(actor, result) };
  }

  private async mailInvitation(
    actor: AuthUser,
    invite: { invitation: { email: string; scope: string; role: string }; acceptUrl: string },
  ): Promise<boolean> {
    if (!this.deps.mailer) return false;
    const { email, scope, role } = invite.invitation;
    try {
      await this.deps.mailer.send({
        to: email,
        subject: 'You are invited to Kubegram',
        text: [
          `${actor.name} invited you to join a Kubegram ${scope} as ${role}.`,
          '',
          'Sign in (or create an account) with this email address, then accept the invitation:',
          `POST ${invite.acceptUrl}`,
          '',
          'The link works once and expires in 7 days.',
        ].join('\n'),
      });
      return true;
    } catch (err) {
      // The message may name the mail server; it goes to the log, never to the caller.
      this.deps.logger?.warn({ err: (err as Error).message }, 'invitation email not sent');
      return false;
    }
  }

  changeMemberRole(
    actor: AuthUser,
    level: members.Level,
    id: string,
    userId: number,
    role: string,
    meta: RequestMeta,
  ) {
    return this.write(actor, meta, async (call) => {
      const { target, standing } = await members.resolveTarget(call.tx, actor, level, id, true);
      const wanted = members.assertRole(level, role);
      await members.changeMemberRole(call, target, standing, userId, wanted);
      return { userId: String(userId), role: wanted };
    });
  }

  removeMember(
    actor: AuthUser,
    level: members.Level,
    id: string,
    userId: number,
    meta: RequestMeta,
  ) {
    return this.write(actor, meta, async (call) => {
      const { target, standing } = await members.resolveTarget(call.tx, actor, level, id, true);
      await members.removeMember(call, target, standing, userId);
    });
  }

  async listInvitations(actor: AuthUser, companyId: string, page: ListQuery) {
    await resolveCompany(this.deps.db, actor, companyId, 'company.members.manage');
    const { rows, total } = await invites.listInvitations(this.deps.db, companyId, page);
    const at = this.deps.clock.now();
    return { data: rows.map((r) => invites.invitationView(r, at)), total };
  }

  revokeInvitation(actor: AuthUser, invitationId: string, meta: RequestMeta) {
    return this.write(actor, meta, async (call) => {
      const row = await invites.findInvitation(call.tx, invitationId);
      if (!row) throw new NotFoundError('Invitation');
      const targetRef = row.teamId ?? row.organizationId ?? row.companyId;
      await members.resolveTarget(call.tx, actor, row.scope, String(targetRef), true);
      await invites.revokeInvitation(call, row);
    });
  }

  acceptInvitation(actor: AuthUser, token: string, meta: RequestMeta) {
    return this.write(actor, meta, async (call) => {
      const row = await invites.acceptInvitation(call, token);
      return invites.invitationView(row, this.deps.clock.now());
    });
  }
}

function ownerStanding(actor: AuthUser): Standing {
  return { platform: actor.role, company: 'owner', organization: null, team: null };
}

/** Only called after company.read passed, so there is a role. */
function effectiveRole(standing: Standing): MemberRole {
  return effectiveCompanyRole(standing) ?? 'member';
}

function memberView(m: members.Member) {
  return {
    userId: String(m.userId),
    email: m.email,
    name: m.name,
    role: m.role,
    createdAt: m.createdAt.toISOString(),
  };
}
