import { and, asc, count, eq, inArray, isNull, ne } from 'drizzle-orm';
import {
  companyMembers,
  type MemberRole,
  organizationMembers,
  type TeamRole,
  teamMembers,
  teams,
  users,
} from '../../db/schema';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { isSerialId } from '../../lib/serial-id';
import { parseEmail } from '../auth/credentials';
import type { AuthUser } from '../auth/types';
import {
  can,
  canGrantMemberRole,
  canGrantTeamRole,
  effectiveCompanyRole,
  effectiveOrganizationRole,
  effectiveTeamRole,
  type Standing,
  type TenancyAction,
} from '../policy';
import { audit } from './audit';
import type { Queryable, WriteCall } from './context';
import type { ListQuery } from './listing';
import { offsetOf } from './listing';
import {
  resolveCompany,
  resolveOrganization,
  resolveOrganizationBySlug,
  resolveTeam,
} from './resolve';
import { visibleCompanyIds } from './scope';

/**
 * Memberships at the three levels. Joining a level also makes the user a plain member of the
 * levels above (a team member belongs to its organization and company); leaving a level also
 * leaves the levels below. Nobody grants, or touches a holder of, a role above their own, and
 * the last owner of a company or organization stays (409).
 */

export type Level = 'company' | 'organization' | 'team';
export type AnyRole = MemberRole | TeamRole;

/** The resource a membership hangs off: its id and the company it belongs to. */
export interface Target {
  level: Level;
  companyId: string;
  organizationId?: number;
  teamId?: number;
}

export interface Member {
  userId: number;
  email: string;
  name: string;
  role: AnyRole;
  createdAt: Date;
}

const ACTIONS: Record<Level, { read: TenancyAction; manage: TenancyAction }> = {
  company: { read: 'company.members.read', manage: 'company.members.manage' },
  organization: { read: 'organization.members.read', manage: 'organization.members.manage' },
  team: { read: 'team.members.read', manage: 'team.members.manage' },
};

export const ROLES: Record<Level, readonly AnyRole[]> = {
  company: ['owner', 'admin', 'member'],
  organization: ['owner', 'admin', 'member'],
  team: ['maintainer', 'member'],
};

/** Loads the level's resource for the caller (404 if they cannot read it, 403 if `manage`). */
export async function resolveTarget(
  q: Queryable,
  actor: AuthUser,
  level: Level,
  id: string,
  manage: boolean,
): Promise<{ target: Target; standing: Standing }> {
  const action = manage ? ACTIONS[level].manage : ACTIONS[level].read;
  if (level === 'company') {
    const { row, standing } = await resolveCompany(q, actor, id, action);
    return { target: { level, companyId: row.id }, standing };
  }
  const numeric = isSerialId(id) ? Number(id) : 0;
  if (level === 'organization') {
    // The earlier product API addressed organizations by slug: /organizations/{slug}/members.
    const { row, standing } = numeric
      ? await resolveOrganization(q, actor, numeric, action)
      : await resolveOrganizationBySlug(q, actor, id, undefined, visibleCompanyIds);
    if (!can(standing, action)) throw new ForbiddenError();
    return { target: { level, companyId: row.companyId, organizationId: row.id }, standing };
  }
  if (!numeric) throw new NotFoundError('Team');
  const { row, standing } = await resolveTeam(q, actor, numeric, action);
  return {
    target: {
      level,
      companyId: row.companyId,
      organizationId: row.organizationId,
      teamId: row.id,
    },
    standing,
  };
}

/** The role the caller holds for granting purposes at the target's level. */
function granterRole(level: Level, standing: Standing): AnyRole | null {
  if (level === 'company') return effectiveCompanyRole(standing);
  if (level === 'organization') return effectiveOrganizationRole(standing);
  return effectiveTeamRole(standing);
}

export function assertMayGrant(level: Level, standing: Standing, role: AnyRole) {
  const granter = granterRole(level, standing);
  const ok =
    level === 'team'
      ? canGrantTeamRole(granter as TeamRole | null, role as TeamRole)
      : canGrantMemberRole(granter as MemberRole | null, role as MemberRole);
  if (!ok) throw new ForbiddenError(`You cannot grant or change the ${role} role`);
}

export function assertRole(level: Level, role: string, path = 'role'): AnyRole {
  if (!ROLES[level].includes(role as AnyRole)) {
    throw new ValidationError('Invalid role', [
      { path, message: `Must be one of: ${ROLES[level].join(', ')}` },
    ]);
  }
  return role as AnyRole;
}

function table(level: Level) {
  if (level === 'company') return companyMembers;
  if (level === 'organization') return organizationMembers;
  return teamMembers;
}

/** WHERE for the membership rows of one target (always including the tenant). */
function targetWhere(target: Target) {
  if (target.level === 'company') return eq(companyMembers.companyId, target.companyId);
  if (target.level === 'organization') {
    return and(
      eq(organizationMembers.companyId, target.companyId),
      eq(organizationMembers.organizationId, target.organizationId!),
    );
  }
  return and(eq(teamMembers.companyId, target.companyId), eq(teamMembers.teamId, target.teamId!));
}

function userWhere(target: Target, userId: number) {
  return and(targetWhere(target), eq(table(target.level).userId, userId));
}

async function currentRole(q: Queryable, target: Target, userId: number, lock = false) {
  const t = table(target.level);
  const query = q.select({ role: t.role }).from(t).where(userWhere(target, userId));
  const [row] = lock ? await query.for('update') : await query;
  return row?.role as AnyRole | undefined;
}

export async function listMembers(q: Queryable, target: Target, page: ListQuery) {
  const t = table(target.level);
  const where = and(targetWhere(target), isNull(users.deletedAt));
  const [rows, [total]] = await Promise.all([
    q
      .select({
        userId: users.id,
        email: users.email,
        name: users.name,
        role: t.role,
        createdAt: t.createdAt,
      })
      .from(t)
      .innerJoin(users, eq(users.id, t.userId))
      .where(where)
      .orderBy(asc(t.createdAt), asc(users.id))
      .limit(page.limit)
      .offset(offsetOf(page)),
    q.select({ value: count() }).from(t).innerJoin(users, eq(users.id, t.userId)).where(where),
  ]);
  return { rows: rows as Member[], total: total?.value ?? 0 };
}

/** A live user by id or email, or undefined. */
export async function findUser(q: Queryable, by: { userId?: number; email?: string }) {
  const where = by.userId
    ? eq(users.id, by.userId)
    : eq(users.email, parseEmail(by.email ?? '', 'email'));
  const [row] = await q
    .select({ id: users.id, email: users.email, name: users.name, teamId: users.teamId })
    .from(users)
    .where(and(where, isNull(users.deletedAt)));
  return row;
}

/**
 * Inserts the membership (and the plain memberships above it) with no permission check: the
 * caller has already been authorised, or holds an invitation issued by someone who was.
 */
export async function grant(call: WriteCall, target: Target, userId: number, role: AnyRole) {
  if (target.level !== 'company') {
    await call.tx
      .insert(companyMembers)
      .values({ companyId: target.companyId, userId, role: 'member' })
      .onConflictDoNothing();
  }
  if (target.level === 'team') {
    await call.tx
      .insert(organizationMembers)
      .values({
        organizationId: target.organizationId!,
        companyId: target.companyId,
        userId,
        role: 'member',
      })
      .onConflictDoNothing();
  }
  if (target.level === 'company') {
    await call.tx
      .insert(companyMembers)
      .values({ companyId: target.companyId, userId, role: role as MemberRole });
  } else if (target.level === 'organization') {
    await call.tx.insert(organizationMembers).values({
      organizationId: target.organizationId!,
      companyId: target.companyId,
      userId,
      role: role as MemberRole,
    });
  } else {
    await call.tx.insert(teamMembers).values({
      teamId: target.teamId!,
      companyId: target.companyId,
      userId,
      role: role as TeamRole,
    });
    // The first team a user joins becomes their primary team (users.team_id).
    const updated = await call.tx
      .update(users)
      .set({ teamId: target.teamId! })
      .where(and(eq(users.id, userId), isNull(users.teamId)))
      .returning({ id: users.id });
    if (updated.length > 0) call.touchedUsers.add(userId);
  }
  await audit(call, `${target.level}.member_added`, target.level, targetId(target), {
    userId: String(userId),
    after: { role },
  });
}

export function targetId(target: Target): string {
  if (target.level === 'company') return target.companyId;
  return String(target.level === 'organization' ? target.organizationId : target.teamId);
}

export async function addMember(
  call: WriteCall,
  target: Target,
  standing: Standing,
  userId: number,
  role: AnyRole,
) {
  assertMayGrant(target.level, standing, role);
  if (await currentRole(call.tx, target, userId)) {
    throw new ConflictError('The user is already a member');
  }
  await grant(call, target, userId, role);
}

/** Owners of a company/organization other than `userId`, locked against concurrent removal. */
/**
 * Locks the owner rows of a company/organization, always in user-id order, before a role change
 * or removal: two owners demoting each other at once then queue instead of deadlocking, and the
 * second sees the first's result (and gets the 409).
 */
async function lockOwners(call: WriteCall, target: Target) {
  if (target.level === 'team') return;
  const t = table(target.level) as typeof companyMembers | typeof organizationMembers;
  await call.tx
    .select({ userId: t.userId })
    .from(t)
    .where(and(targetWhere(target), eq(t.role, 'owner')))
    .orderBy(asc(t.userId))
    .for('update');
}

/** Owners other than `userId` (their rows are locked by lockOwners). */
async function assertAnotherOwner(call: WriteCall, target: Target, userId: number) {
  if (target.level === 'team') return;
  const t = table(target.level) as typeof companyMembers | typeof organizationMembers;
  const others = await call.tx
    .select({ userId: t.userId })
    .from(t)
    .where(and(targetWhere(target), eq(t.role, 'owner'), ne(t.userId, userId)));
  if (others.length === 0) {
    throw new ConflictError(`The last owner of the ${target.level} cannot be removed or demoted`);
  }
}

export async function changeMemberRole(
  call: WriteCall,
  target: Target,
  standing: Standing,
  userId: number,
  role: AnyRole,
) {
  await lockOwners(call, target);
  const current = await currentRole(call.tx, target, userId, true);
  if (!current) throw new NotFoundError('Member');
  assertMayGrant(target.level, standing, current);
  assertMayGrant(target.level, standing, role);
  if (current === role) return current;
  if (current === 'owner') await assertAnotherOwner(call, target, userId);
  const t = table(target.level);
  await call.tx
    .update(t)
    .set({ role } as never)
    .where(userWhere(target, userId));
  await audit(call, `${target.level}.member_role_changed`, target.level, targetId(target), {
    userId: String(userId),
    role: { before: current, after: role },
  });
  return role;
}

export async function removeMember(
  call: WriteCall,
  target: Target,
  standing: Standing,
  userId: number,
) {
  await lockOwners(call, target);
  const current = await currentRole(call.tx, target, userId, true);
  if (!current) throw new NotFoundError('Member');
  assertMayGrant(target.level, standing, current);
  if (current === 'owner') await assertAnotherOwner(call, target, userId);
  await revoke(call, target, userId);
  await audit(call, `${target.level}.member_removed`, target.level, targetId(target), {
    userId: String(userId),
    before: { role: current },
  });
}

/** Deletes the membership and every membership below it in the same subtree. */
async function revoke(call: WriteCall, target: Target, userId: number) {
  let teamIds: number[] = [];
  if (target.level === 'team') teamIds = [target.teamId!];
  else {
    const scope =
      target.level === 'company'
        ? eq(teams.companyId, target.companyId)
        : and(
            eq(teams.companyId, target.companyId),
            eq(teams.organizationId, target.organizationId!),
          );
    const rows = await call.tx
      .select({ teamId: teamMembers.teamId })
      .from(teamMembers)
      .innerJoin(teams, eq(teams.id, teamMembers.teamId))
      .where(and(scope, eq(teamMembers.userId, userId)));
    teamIds = rows.map((r) => r.teamId);
  }
  if (teamIds.length > 0) {
    await call.tx
      .delete(teamMembers)
      .where(
        and(
          eq(teamMembers.companyId, target.companyId),
          eq(teamMembers.userId, userId),
          inArray(teamMembers.teamId, teamIds),
        ),
      );
    const cleared = await call.tx
      .update(users)
      .set({ teamId: null })
      .where(and(eq(users.id, userId), inArray(users.teamId, teamIds)))
      .returning({ id: users.id });
    if (cleared.length > 0) call.touchedUsers.add(userId);
  }
  if (target.level === 'company') {
    await call.tx
      .delete(organizationMembers)
      .where(
        and(
          eq(organizationMembers.companyId, target.companyId),
          eq(organizationMembers.userId, userId),
        ),
      );
    await call.tx.delete(companyMembers).where(userWhere(target, userId));
  } else if (target.level === 'organization') {
    await call.tx.delete(organizationMembers).where(userWhere(target, userId));
  }
}
