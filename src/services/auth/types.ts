import type { UserRole, UserRow } from '../../db/schema';

/** The user as requests see it: no password hash, no deletion bookkeeping. */
export interface AuthUser {
  id: number;
  email: string;
  name: string;
  avatar: string | null;
  role: UserRole;
  teamId: number | null;
}

export type CredentialKind = 'session' | 'pat' | 'jwt';

/** What authentication puts on c.var.auth. */
export interface AuthContext {
  user: AuthUser;
  /** The session id for cookie/session tokens; the token id for other credentials. */
  sessionId: string;
  kind: CredentialKind;
  /** How the credential arrived: cookie requests are subject to CSRF checks, bearer ones are not. */
  via: 'cookie' | 'bearer';
  /** Scopes of a token; undefined means the full rights of the user's role. */
  scopes?: string[];
  /**
   * Set for a company-certificate token (services/tokens/certificates): the caller is that
   * company's service principal and may act only inside it (see policy.ts).
   */
  companyId?: string;
}

export function toAuthUser(row: UserRow): AuthUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    avatar: row.avatar,
    role: row.role,
    teamId: row.teamId,
  };
}

/** Public JSON shape of a user: ids as strings, as the product documents show. */
export function publicUser(user: AuthUser) {
  return {
    id: String(user.id),
    email: user.email,
    name: user.name,
    avatar: user.avatar,
    role: user.role,
    teamId: user.teamId === null ? null : String(user.teamId),
  };
}
