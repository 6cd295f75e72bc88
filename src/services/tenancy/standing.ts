import { and, eq } from 'drizzle-orm';
import { companyMembers, organizationMembers, teamMembers } from '../../db/schema';
import type { Standing } from '../policy';
import type { Actor, Queryable } from './context';
import { memoized } from './memo';

export interface StandingTarget {
  companyId: string;
  organizationId?: number;
  teamId?: number;
  creatorId?: number | null;
  publicProject?: boolean;
}

/**
 * The caller's membership roles along one company → organization → team path. Every lookup is
 * keyed by the caller's id and the target's ids, so it cannot read another tenant's rows.
 */
export async function loadStanding(
  q: Queryable,
  actor: Actor,
  target: StandingTarget,
): Promise<Standing> {
  const base: Standing = {
    platform: actor ? actor.role : 'anonymous',
    company: null,
    organization: null,
    team: null,
    creator: actor !== null && target.creatorId === actor.id,
    publicProject: target.publicProject,
  };
  if (!actor || actor.role === 'admin') return base;
  const key = `standing:${actor.id}:${target.companyId}:${target.organizationId}:${target.teamId}`;
  const roles = await memoized(q, key, () => loadRoles(q, actor.id, target));
  return { ...base, ...roles };
}

async function loadRoles(q: Queryable, userId: number, target: StandingTarget) {
  const [company, organization, team] = await Promise.all([
    q
      .select({ role: companyMembers.role })
      .from(companyMembers)
      .where(
        and(eq(companyMembers.companyId, target.companyId), eq(companyMembers.userId, userId)),
      ),
    target.organizationId === undefined
      ? []
      : q
          .select({ role: organizationMembers.role })
          .from(organizationMembers)
          .where(
            and(
              eq(organizationMembers.companyId, target.companyId),
              eq(organizationMembers.organizationId, target.organizationId),
              eq(organizationMembers.userId, userId),
            ),
          ),
    target.teamId === undefined
      ? []
      : q
          .select({ role: teamMembers.role })
          .from(teamMembers)
          .where(
            and(
              eq(teamMembers.companyId, target.companyId),
              eq(teamMembers.teamId, target.teamId),
              eq(teamMembers.userId, userId),
            ),
          ),
  ]);
  return {
    company: company[0]?.role ?? null,
    organization: organization[0]?.role ?? null,
    team: team[0]?.role ?? null,
  };
}
