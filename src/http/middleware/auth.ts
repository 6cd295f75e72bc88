import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { UserRole } from '../../db/schema';
import { ForbiddenError, UnauthenticatedError } from '../../lib/errors';
import type { Authenticator } from '../../services/auth/authenticator';
import type { AuthContext } from '../../services/auth/types';
import { hasRoleAtLeast } from '../../services/policy';
import type { AppEnv } from '../app-env';

/**
 * Resolves the request's credential, if any, onto c.var.auth. It never rejects: routes say
 * whether they need a user (requireAuth) or merely accept one (optionalAuth).
 * A Bearer header wins over the cookie, and a bad Bearer token is not rescued by a cookie.
 */
export function authenticate(
  authenticator: Authenticator,
  cookieName: string,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    let auth: AuthContext | null = null;
    if (header !== undefined) {
      const match = /^Bearer +(\S+)\s*$/i.exec(header);
      if (match) auth = await authenticator.authenticate(match[1]!, 'bearer');
    } else {
      const cookie = getCookie(c, cookieName);
      if (cookie) auth = await authenticator.authenticate(cookie, 'cookie');
    }
    if (auth) c.set('auth', auth);
    await next();
  };
}

/** The authenticated caller, or a 401. For use inside handlers behind requireAuth. */
export function authOf(c: Context<AppEnv>): AuthContext {
  const auth = c.get('auth');
  if (!auth) throw new UnauthenticatedError();
  return auth;
}

export const requireAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  authOf(c);
  await next();
};

/** Accepts anonymous callers; c.var.auth is set when a valid credential came along. */
export const optionalAuth: MiddlewareHandler<AppEnv> = async (_c, next) => {
  await next();
};

/** At least this role in the order admin > manager > team_member. */
export function requireRole(role: UserRole): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { user } = authOf(c);
    if (!hasRoleAtLeast(user, role)) throw new ForbiddenError(`Requires the ${role} role`);
    await next();
  };
}

/** One of these roles; admin, being above every role, always passes. */
export function requireAnyRole(roles: UserRole[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { user } = authOf(c);
    if (user.role !== 'admin' && !roles.includes(user.role)) {
      throw new ForbiddenError(`Requires one of the roles: ${roles.join(', ')}`);
    }
    await next();
  };
}
