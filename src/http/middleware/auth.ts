import type { Context, MiddlewareHandler } from 'hono';
import type { UserRole } from '../../db/schema';
import { ForbiddenError, UnauthenticatedError } from '../../lib/errors';
import type { MaybePromise } from '../../lib/maybe-promise';
import type { Authenticator } from '../../services/auth/authenticator';
import type { AuthContext } from '../../services/auth/types';
import type { Metrics } from '../../services/observability/metrics';
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
  metrics: Metrics,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    let via: AuthContext['via'] | undefined;
    let auth: MaybePromise<AuthContext | null> = null;
    if (header !== undefined) {
      const token = bearerToken(header);
      via = 'bearer';
      if (token) auth = authenticator.authenticate(token, via);
    } else {
      const cookie = c.req.raw.headers.get('cookie');
      const token = cookie ? cookieValue(cookie, cookieName) : undefined;
      if (token) {
        via = 'cookie';
        auth = authenticator.authenticate(token, via);
      }
    }
    if (auth instanceof Promise) auth = await auth;
    if (via) metrics.countAuthentication(via, auth?.kind ?? 'unknown', auth !== null);
    if (auth) c.set('auth', auth);
    await next();
  };
}

const BEARER = 'bearer ';

/**
 * One cookie's value from a Cookie header (RFC 6265 §5.4: `name=value` pairs joined by "; ").
 * Our session token is base64url, so it needs neither quotes nor decoding. Written out because
 * a general parser building every pair was a measurable share of each cookie request.
 */
export function cookieValue(header: string, name: string): string | undefined {
  let from = 0;
  while (from < header.length) {
    const end = header.indexOf(';', from);
    const pair = header.slice(from, end === -1 ? header.length : end).trim();
    if (pair.length > name.length && pair.startsWith(name) && pair[name.length] === '=') {
      return pair.slice(name.length + 1) || undefined;
    }
    if (end === -1) return undefined;
    from = end + 1;
  }
  return undefined;
}

/**
 * The token of `Authorization: Bearer <token>` (the scheme is case-insensitive, RFC 7235).
 * A token with inner whitespace passes through here but matches no credential shape.
 */
export function bearerToken(header: string): string | undefined {
  if (header.length <= BEARER.length || header.slice(0, BEARER.length).toLowerCase() !== BEARER) {
    return undefined;
  }
  return header.slice(BEARER.length).trim() || undefined;
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
