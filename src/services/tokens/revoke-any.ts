import type { RequestMeta } from '../audit/audit-service';
import { type AccessTokens, looksLikeJwt, tokenFamily } from './access-tokens';
import { PAT_PREFIX } from './pat-format';
import type { PatService } from './pat-service';
import type { RefreshTokenService } from './refresh-service';

export interface TokenRevokerDeps {
  pats: PatService;
  accessTokens: AccessTokens;
  refreshTokens: RefreshTokenService;
}

/** POST /oauth/revoke (RFC 7009): one door for every kind of token we issue. */
export class TokenRevoker {
  constructor(private readonly deps: TokenRevokerDeps) {}

  /** Whatever kind the token is, revoke what it stands for; unknown ones are ignored. */
  async revokeAny(token: string, meta: RequestMeta) {
    const { pats, accessTokens, refreshTokens } = this.deps;
    if (token.startsWith(PAT_PREFIX)) {
      const row = await pats.findLive(token);
      if (row) await pats.revoke(row.userId, row.id, meta, 'token.revoked_by_oauth');
      return;
    }
    if (looksLikeJwt(token)) {
      const verified = await accessTokens.verify(token);
      if (verified?.userId !== undefined) {
        await refreshTokens.revokeFamily(tokenFamily(verified.claims), verified.userId, meta);
      }
      return;
    }
    await refreshTokens.revokeFamilyOfRefreshToken(token, meta);
  }
}
