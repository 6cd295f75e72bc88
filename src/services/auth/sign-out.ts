import type { RequestMeta } from '../audit/audit-service';
import type { PatService } from '../tokens/pat-service';
import type { RefreshTokenService } from '../tokens/refresh-service';
import type { AccountService } from './account-service';
import type { AuthContext } from './types';

export interface SignOutDeps {
  accounts: AccountService;
  pats: PatService;
  refreshTokens: RefreshTokenService;
}

/**
 * Ends the credential a request presents, whatever its kind: a session is revoked, a personal
 * access token is revoked, an access JWT revokes its refresh family (and with it every access
 * token of that login). POST /auth/logout and POST /auth/cli-logout both come here.
 */
export class SignOut {
  constructor(private readonly deps: SignOutDeps) {}

  async end(auth: AuthContext, meta: RequestMeta, action: string) {
    const { accounts, pats, refreshTokens } = this.deps;
    if (auth.kind === 'pat') {
      await pats.revoke(auth.user.id, auth.sessionId, meta, action);
    } else if (auth.kind === 'jwt') {
      await refreshTokens.revokeFamily(auth.sessionId, auth.user.id, meta);
    } else {
      await accounts.logout(auth.user.id, auth.sessionId, meta);
    }
  }
}
