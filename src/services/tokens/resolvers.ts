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
 * `Authorization: Bearer eyJ…`: our access JWTs. User tokens resolve to the current user record
 * (cached, invalidated on change); company-certificate tokens resolve through `companyPrincipal`.
 */
export function jwtResolver(
  accessTokens: AccessTokens,
  users: ActiveUserCache,
  companyPrincipal?: CompanyPrincipalResolver,
): CredentialResolver {
  return {
    accepts: looksLikeJwt,
    async resolve(token, via) {
      const verified = await accessTokens.verify(token);
      if (!verified) return null;
      const sessionId = verified.claims.sid ?? verified.claims.jti!;
      if (verified.companyId !== undefined) {
        if (!companyPrincipal) return null;
        const principal = await companyPrincipal(verified.companyId, verified.claims.cert_id);
        if (!principal) return null;
        return {
          user: principal,
          sessionId,
          kind: 'jwt',
          via,
          scopes: verified.scopes,
          companyId: verified.companyId,
        };
      }
      const user = await users.get(verified.userId!);
      if (!user) return null;
      return { user, sessionId, kind: 'jwt', via, scopes: verified.scopes };
    },
  };
}

export type CompanyPrincipalResolver = (
  companyId: string,
  certificateId: string | undefined,
) => Promise<import('../auth/types').AuthUser | null>;
