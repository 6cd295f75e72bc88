import type { UserRole } from '../db/schema';
import type { AuthUser } from './auth/types';

/**
 * The one place that decides who may do what. Routes and services ask here; nothing else
 * compares roles.
 *
 * Platform roles, strongest first:
 *   admin       — everything, everywhere, including the admin API
 *   manager     — creates companies and manages the companies/organizations they belong to
 *   team_member — team-level access to projects and resources
 */
export const ROLE_RANK: Record<UserRole, number> = { admin: 3, manager: 2, team_member: 1 };

export function hasRoleAtLeast(user: Pick<AuthUser, 'role'>, role: UserRole): boolean {
  return ROLE_RANK[user.role] >= ROLE_RANK[role];
}

export function isAdmin(user: Pick<AuthUser, 'role'>): boolean {
  return user.role === 'admin';
}

/** Users API: admins see everyone; anyone else only themselves (others are 404, not 403). */
export function canReadUser(actor: AuthUser, targetId: number): boolean {
  return isAdmin(actor) || actor.id === targetId;
}

/** Fields a caller may change on a user record. Anything else in a body is refused. */
export function writableUserFields(actor: AuthUser, targetId: number): ReadonlySet<string> {
  if (isAdmin(actor)) return new Set(['name', 'avatar', 'role', 'disabled']);
  if (actor.id === targetId) return new Set(['name', 'avatar']);
  return new Set();
}
