import type { CredentialResolver } from '../auth/authenticator';
import type { AccessTokens } from './access-tokens';
import { looksLikeJwt } from './access-tokens';
import { PAT_PREFIX } from './pat-format';
import type { PatService } from './pat-service';
import type { ActiveUserCache } from './user-cache';

/** `Authorization: Bearer kgm_…`: personal access tokens. */
export function patResolver(pats: PatService): CredentialResolver {
  return {
    accepts: (token) => token.startsWith(PAT_PREFIX),
    async resolve(token, via) {
      const found = await pats.resolve(token);
      if (!found) return null;
      return { user: found.user, sessionId: found.tokenId, kind: 'pat', via, scopes: found.scopes };
    },
  };
}

/**
 * `Authorization: Bearer eyJ…`: our access JWTs, resolved to the current user record (cached,
 * invalidated on change). Company-certificate tokens carry their company, which confines them.
 */
export function jwtResolver(
  accessTokens: AccessTokens,
  users: ActiveUserCache,
): CredentialResolver {
  return {
    accepts: looksLikeJwt,
    async resolve(token, via) {
      const verified = await accessTokens.verify(token);
      if (!verified || verified.userId === undefined) return null;
      const user = await users.get(verified.userId);
      if (!user) return null;
      return {
        user,
        sessionId: verified.claims.sid ?? verified.claims.jti!,
        kind: 'jwt',
        via,
        scopes: verified.scopes,
        ...(verified.companyId ? { companyId: verified.companyId } : {}),
      };
    },
  };
}
