import type { Clock } from '../../lib/clock';
import { ConflictError } from '../../lib/errors';
import type { RequestMeta } from '../audit/audit-service';
import type { AuthContext, AuthUser } from '../auth/types';
import { OAUTH_CLIENTS } from './oauth-error';
import type { PatService } from './pat-service';
import type { RefreshTokenService } from './refresh-service';
import { defaultScopes } from './scopes';

/** What POST /auth/tokens/rotate hands back: the same kind of credential that was presented. */
export type RenewedCredential =
  | { kind: 'pat'; id: string; token: string; expiresAt: string | null }
  | {
      kind: 'oauth';
      accessToken: string;
      refreshToken: string;
      accessTokenExpiresIn: number;
      expiresAt: string;
    };

/** A device login, as the sessions view lists it next to the browser sessions. */
export interface CliLoginView {
  id: string;
  kind: 'cli';
  provider: 'device';
  client: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: null;
  userAgent: null;
}

export interface CliLoginsDeps {
  pats: PatService;
  refreshTokens: RefreshTokenService;
  /** CLI_TOKEN_TTL. */
  ttlSeconds: number;
  clock: Clock;
}

/**
 * The CLI's logins: what `cli-login` issues (a personal access token with the owner's default
 * scopes and the CLI_TOKEN_TTL lifetime; device logins get the same lifetime as refresh
 * families), how the CLI renews either before it ends, and the device logins the sessions view
 * lists and revokes.
 */
export class CliLogins {
  constructor(private readonly deps: CliLoginsDeps) {}

  /** POST /auth/cli-login, after the credentials (and second factor) were checked. */
  async issueToken(user: AuthUser, name: string, meta: RequestMeta) {
    const expiresAt = new Date(this.deps.clock.now() + this.deps.ttlSeconds * 1000);
    const { token, row } = await this.deps.pats.create(
      user,
      undefined,
      { name, scopes: defaultScopes(user.role), expiresAt },
      meta,
      'auth.cli_login',
    );
    return { token, expiresAt: row.expiresAt!.toISOString() };
  }

  /** Replaces the presented credential with a fresh one; the old one ends everywhere. */
  async renew(auth: AuthContext, meta: RequestMeta): Promise<RenewedCredential> {
    if (auth.kind === 'pat') {
      const { token, row } = await this.deps.pats.rotate(auth.user, auth.sessionId, meta);
      return {
        kind: 'pat',
        id: row.id,
        token,
        expiresAt: row.expiresAt?.toISOString() ?? null,
      };
    }
    if (auth.kind === 'jwt' && !auth.companyId) {
      const tokens = await this.deps.refreshTokens.renewFamily(auth.user, auth.sessionId, meta);
      return {
        kind: 'oauth',
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token!,
        accessTokenExpiresIn: tokens.expires_in,
        expiresAt: new Date(
          this.deps.clock.now() + (tokens.refresh_token_expires_in ?? 0) * 1000,
        ).toISOString(),
      };
    }
    throw new ConflictError(
      'Only a personal access token or a device login can be renewed; a browser session signs in again',
    );
  }

  async list(userId: number): Promise<CliLoginView[]> {
    const families = await this.deps.refreshTokens.listFamilies(userId);
    return families.map((f) => ({
      id: f.familyId,
      kind: 'cli',
      provider: 'device',
      client: OAUTH_CLIENTS[f.clientId]?.name ?? f.clientId,
      createdAt: f.createdAt.toISOString(),
      lastSeenAt: f.lastUsedAt.toISOString(),
      expiresAt: f.expiresAt.toISOString(),
      ip: null,
      userAgent: null,
    }));
  }

  /** False when `id` is not one of the user's live device logins. */
  revoke(userId: number, id: string, meta: RequestMeta) {
    return this.deps.refreshTokens.revokeOwnFamily(userId, id, meta);
  }
}
