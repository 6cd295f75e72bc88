import { and, eq, inArray, isNull } from 'drizzle-orm';
import {
  companies,
  invitations,
  organizationMembers,
  organizations,
  projects,
  teamMembers,
  teams,
  users,
} from '../../db/schema';
import { now, type WriteCall } from './context';
import { forgetMemo } from './memo';

/**
 * Soft deletes that take the subtree with them, inside the caller's transaction: a deleted
 * parent never leaves live children behind. Memberships of deleted organizations and teams
 * are removed, open invitations revoked, and primary teams that vanish are cleared. Every
 * statement is pinned to the company the subtree belongs to.
 */

async function clearPrimaryTeams(call: WriteCall, teamIds: number[]) {
  if (teamIds.length === 0) return;
  const cleared = await call.tx
    .update(users)
    .set({ teamId: null })
    .where(inArray(users.teamId, teamIds))
    .returning({ id: users.id });
  for (const u of cleared) call.touchedUsers.add(u.id);
}

async function deleteTeams(call: WriteCall, companyId: string, teamIds: number[]) {
  forgetMemo(call.tx);
  if (teamIds.length === 0) return;
  const at = now(call.ctx);
  await call.tx
    .update(projects)
    .set({ deletedAt: at, updatedAt: at })
    .where(
      and(
        eq(projects.companyId, companyId),
        inArray(projects.teamId, teamIds),
        isNull(projects.deletedAt),
      ),
    );
  await call.tx
    .delete(teamMembers)
    .where(and(eq(teamMembers.companyId, companyId), inArray(teamMembers.teamId, teamIds)));
  await call.tx
    .update(invitations)
    .set({ revokedAt: at })
    .where(
      and(
        eq(invitations.companyId, companyId),
        inArray(invitations.teamId, teamIds),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
  await clearPrimaryTeams(call, teamIds);
  await call.tx
    .update(teams)
    .set({ deletedAt: at, updatedAt: at })
    .where(
      and(eq(teams.companyId, companyId), inArray(teams.id, teamIds), isNull(teams.deletedAt)),
    );
}

export async function softDeleteTeam(call: WriteCall, companyId: string, teamId: number) {
  await deleteTeams(call, companyId, [teamId]);
}

async function deleteOrganizations(call: WriteCall, companyId: string, organizationIds: number[]) {
  forgetMemo(call.tx);
  if (organizationIds.length === 0) return;
  const at = now(call.ctx);
  const children = await call.tx
    .select({ id: teams.id })
    .from(teams)
    .where(
      and(
        eq(teams.companyId, companyId),
        inArray(teams.organizationId, organizationIds),
        isNull(teams.deletedAt),
      ),
    );
  await deleteTeams(
    call,
    companyId,
    children.map((t) => t.id),
  );
  await call.tx
    .delete(organizationMembers)
    .where(
      and(
        eq(organizationMembers.companyId, companyId),
        inArray(organizationMembers.organizationId, organizationIds),
      ),
    );
  await call.tx
    .update(invitations)
    .set({ revokedAt: at })
    .where(
      and(
        eq(invitations.companyId, companyId),
        inArray(invitations.organizationId, organizationIds),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
  await call.tx
    .update(organizations)
    .set({ deletedAt: at, updatedAt: at })
    .where(
      and(
        eq(organizations.companyId, companyId),
        inArray(organizations.id, organizationIds),
        isNull(organizations.deletedAt),
      ),
    );
}

export async function softDeleteOrganization(
  call: WriteCall,
  companyId: string,
  organizationId: number,
) {
  await deleteOrganizations(call, companyId, [organizationId]);
}

export async function softDeleteCompany(call: WriteCall, companyId: string) {
  forgetMemo(call.tx);
  const at = now(call.ctx);
  const children = await call.tx
    .select({ id: organizations.id })
    .from(organizations)
    .where(and(eq(organizations.companyId, companyId), isNull(organizations.deletedAt)));
  await deleteOrganizations(
    call,
    companyId,
    children.map((o) => o.id),
  );
  await call.tx
    .update(invitations)
    .set({ revokedAt: at })
    .where(
      and(
        eq(invitations.companyId, companyId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
  await call.tx
    .update(companies)
    .set({ deletedAt: at, updatedAt: at })
    .where(eq(companies.id, companyId));
}
