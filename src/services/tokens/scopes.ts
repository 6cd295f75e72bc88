import type { UserRole } from '../../db/schema';

/**
 * Token scopes. `read` allows safe methods, `write` adds changes, `admin` adds the admin API.
 * A token never exceeds its owner: the owner's role still gates every route, and `admin` can
 * only be granted by an admin. Session cookies carry no scopes (the full rights of the role).
 */
export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ADMIN_API = '/api/v1/admin';
/** Ending or renewing your own credential is always allowed, whatever the token may otherwise do. */
const ALWAYS_ALLOWED = new Set([
  '/api/public/v1/auth/cli-logout',
  '/api/public/v1/auth/logout',
  '/api/public/v1/auth/tokens/rotate',
]);

export function isTokenScope(value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value);
}

/** Per request on the hot path, where the list is the one cached with its token. */
const expanded = new WeakMap<readonly string[], ReadonlySet<TokenScope>>();

/** `write` implies `read`, `admin` implies both: the set a scope list actually grants. */
export function expandScopes(scopes: readonly string[]): ReadonlySet<TokenScope> {
  const known = expanded.get(scopes);
  if (known) return known;
  const out = new Set<TokenScope>();
  for (const s of scopes) {
    if (s === 'admin') out.add('admin').add('write').add('read');
    else if (s === 'write') out.add('write').add('read');
    else if (s === 'read') out.add('read');
  }
  expanded.set(scopes, out);
  return out;
}

/** The scopes a user of this role may put on a token. */
export function grantableScopes(role: UserRole): TokenScope[] {
  return role === 'admin' ? ['read', 'write', 'admin'] : ['read', 'write'];
}

/** Default scopes of a token made without an explicit list (CLI login, device login). */
export function defaultScopes(role: UserRole): TokenScope[] {
  return role === 'admin' ? ['read', 'write', 'admin'] : ['read', 'write'];
}

/** Why a request is outside the token's scopes, or undefined when it is inside them. */
export function scopeRefusal(
  scopes: readonly string[],
  method: string,
  path: string,
): string | undefined {
  if (ALWAYS_ALLOWED.has(path)) return undefined;
  const granted = expandScopes(scopes);
  if (path === ADMIN_API || path.startsWith(`${ADMIN_API}/`)) {
    return granted.has('admin') ? undefined : 'This token lacks the admin scope';
  }
  if (SAFE_METHODS.has(method.toUpperCase())) {
    return granted.has('read') ? undefined : 'This token lacks the read scope';
  }
  return granted.has('write') ? undefined : 'This token is read-only (lacks the write scope)';
}
