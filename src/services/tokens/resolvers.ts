import { andThen } from '../../lib/maybe-promise';
import type { CredentialResolver } from '../auth/authenticator';
import type { AuthContext } from '../auth/types';
import type { AccessTokens } from './access-tokens';
import { mayBeJwt, tokenFamily } from './access-tokens';
import { PAT_PREFIX } from './pat-format';
import type { PatService } from './pat-service';
import type { ActiveUserCache } from './user-cache';

/** `Authorization: Bearer kgm_…`: personal access tokens. */
export function patResolver({ pats }: { pats: PatService }): CredentialResolver {
  return {
    accepts: (token) => token.startsWith(PAT_PREFIX),
    resolve: (token, via) =>
      andThen(pats.resolve(token), (found) =>
        found
          ? {
              user: found.user,
              sessionId: found.tokenId,
              kind: 'pat' as const,
              via,
              scopes: found.scopes,
            }
          : null,
      ),
  };
}

/**
 * `Authorization: Bearer eyJ…`: our access JWTs, resolved to the current user record (cached,
 * invalidated on change). Company-certificate tokens carry their company, which confines them.
 */
export function jwtResolver({
  accessTokens,
  users,
}: {
  accessTokens: AccessTokens;
  users: ActiveUserCache;
}): CredentialResolver {
  return {
    accepts: mayBeJwt,
    resolve: (token, via) =>
      andThen(accessTokens.verify(token), (verified) => {
        if (!verified || verified.userId === undefined) return null;
        return andThen(users.get(verified.userId), (user): AuthContext | null => {
          if (!user) return null;
          return {
            user,
            sessionId: tokenFamily(verified.claims),
            kind: 'jwt',
            via,
            scopes: verified.scopes,
            ...(verified.companyId ? { companyId: verified.companyId } : {}),
          };
        });
      }),
  };
}
