import { and, eq, inArray, isNull, type SQL } from 'drizzle-orm';
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
import { type ChildTable, liveIn } from './children';
import { now, type WriteCall } from './context';

/**
 * Soft deletes that take the subtree with them, inside the caller's transaction: a deleted
 * parent never leaves live children behind. Memberships of deleted organizations and teams
 * are removed, open invitations revoked, and primary teams that vanish are cleared. Every
 * statement is pinned to the company the subtree belongs to.
 */

/** Soft-deletes the company's live rows of `table` that `where` picks. */
async function softDeleteRows(call: WriteCall, table: ChildTable, companyId: string, where: SQL) {
  const at = now(call.ctx);
  await call.tx
    .update(table)
    .set({ deletedAt: at, updatedAt: at })
    .where(liveIn(table, companyId, where));
}

/** Revokes the company's open invitations that `where` picks (all of them without it). */
async function revokeOpenInvitations(call: WriteCall, companyId: string, where?: SQL) {
  await call.tx
    .update(invitations)
    .set({ revokedAt: now(call.ctx) })
    .where(
      and(
        eq(invitations.companyId, companyId),
        where,
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
}

/** Ids of the company's live rows of `table` that `where` picks: the children to delete next. */
async function liveIds(call: WriteCall, table: ChildTable, companyId: string, where: SQL) {
  const rows = await call.tx
    .select({ id: table.id })
    .from(table)
    .where(liveIn(table, companyId, where));
  return rows.map((row) => row.id);
}

async function clearPrimaryTeams(call: WriteCall, teamIds: number[]) {
  const cleared = await call.tx
    .update(users)
    .set({ teamId: null })
    .where(inArray(users.teamId, teamIds))
    .returning({ id: users.id });
  for (const u of cleared) call.touchedUsers.add(u.id);
}

export async function softDeleteProject(call: WriteCall, companyId: string, projectId: number) {
  await softDeleteRows(call, projects, companyId, eq(projects.id, projectId));
}

async function deleteTeams(call: WriteCall, companyId: string, teamIds: number[]) {
  if (teamIds.length === 0) return;
  await softDeleteRows(call, projects, companyId, inArray(projects.teamId, teamIds));
  await call.tx
    .delete(teamMembers)
    .where(and(eq(teamMembers.companyId, companyId), inArray(teamMembers.teamId, teamIds)));
  await revokeOpenInvitations(call, companyId, inArray(invitations.teamId, teamIds));
  await clearPrimaryTeams(call, teamIds);
  await softDeleteRows(call, teams, companyId, inArray(teams.id, teamIds));
}

export async function softDeleteTeam(call: WriteCall, companyId: string, teamId: number) {
  await deleteTeams(call, companyId, [teamId]);
}

async function deleteOrganizations(call: WriteCall, companyId: string, organizationIds: number[]) {
  if (organizationIds.length === 0) return;
  const inThem = inArray(teams.organizationId, organizationIds);
  await deleteTeams(call, companyId, await liveIds(call, teams, companyId, inThem));
  await call.tx
    .delete(organizationMembers)
    .where(
      and(
        eq(organizationMembers.companyId, companyId),
        inArray(organizationMembers.organizationId, organizationIds),
      ),
    );
  await revokeOpenInvitations(
    call,
    companyId,
    inArray(invitations.organizationId, organizationIds),
  );
  await softDeleteRows(call, organizations, companyId, inArray(organizations.id, organizationIds));
}

export async function softDeleteOrganization(
  call: WriteCall,
  companyId: string,
  organizationId: number,
) {
  await deleteOrganizations(call, companyId, [organizationId]);
}

export async function softDeleteCompany(call: WriteCall, companyId: string) {
  const all = eq(organizations.companyId, companyId);
  await deleteOrganizations(call, companyId, await liveIds(call, organizations, companyId, all));
  await revokeOpenInvitations(call, companyId);
  const at = now(call.ctx);
  await call.tx
    .update(companies)
    .set({ deletedAt: at, updatedAt: at })
    .where(eq(companies.id, companyId));
}
