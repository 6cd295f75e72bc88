import type { Logger } from 'pino';
import type { SharedStore } from '../../cache/shared-store';
import type { Config } from '../../config';
import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import type { Encryptor } from '../../lib/encryption';
import type { RequestMeta } from '../audit/audit-service';
import type { Authenticator } from '../auth/authenticator';
import type { SessionService } from '../sessions/session-service';
import type { TenancyService } from '../tenancy';
import { AccessTokens, looksLikeJwt, tokenFamily } from './access-tokens';
import { CertificateService } from './certificates';
import { CliLogins } from './cli-logins';
import { DeviceAuthorizationService } from './device-service';
import { TokenMaintenance } from './maintenance';
import { CLI_CLIENT_ID } from './oauth-error';
import { PAT_PREFIX } from './pat-format';
import { PatService } from './pat-service';
import { RefreshTokenService } from './refresh-service';
import { jwtResolver, patResolver } from './resolvers';
import { TokenRevocationState } from './revocation-state';
import { SigningKeyRing } from './signing-keys';
import { TokenEndpoint } from './token-endpoint';
import { ActiveUserCache } from './user-cache';

export interface TokenServiceDeps {
  db: Database;
  store: SharedStore;
  encryptor: Encryptor;
  config: Config;
  logger: Logger;
  clock: Clock;
  sessions: SessionService;
  authenticator: Authenticator;
  tenancy: TenancyService;
}

/**
 * Machine credentials (issue #5): PATs, access JWTs + refresh tokens, signing keys, device
 * login, company certificates. Registers the PAT and JWT resolvers with the authenticator, so
 * every protected route accepts them, and revokes token families whenever sessions are revoked.
 */
export function createTokenServices(deps: TokenServiceDeps) {
  const { db, store, encryptor, config, logger, clock, sessions, authenticator, tenancy } = deps;
  const t = config.tokens;
  const activeUsers = new ActiveUserCache(db, store);
  const pats = new PatService(db, store, activeUsers, clock, logger);
  const signingKeys = new SigningKeyRing(
    db,
    store,
    encryptor,
    {
      algorithm: t.signingAlgorithm,
      rsaModulusLength: t.rsaModulusLength,
      retainSeconds: t.accessTtlSeconds + 300,
    },
    clock,
    logger,
  );
  const revocations = new TokenRevocationState(db, store, clock, t.accessTtlSeconds, logger);
  const accessTokens = new AccessTokens(
    signingKeys,
    revocations,
    { issuer: config.appUrl, audience: t.audience, ttlSeconds: t.accessTtlSeconds },
    clock,
  );
  const refreshTokens = new RefreshTokenService(
    db,
    accessTokens,
    revocations,
    encryptor,
    {
      ttlSeconds: t.refreshTtlSeconds,
      graceSeconds: t.refreshGraceSeconds,
      clientTtlSeconds: { [CLI_CLIENT_ID]: t.cliTtlSeconds },
    },
    clock,
  );
  const deviceLogins = new DeviceAuthorizationService(
    db,
    store,
    refreshTokens,
    config.appUrl,
    clock,
  );
  const certificates = new CertificateService(
    db,
    tenancy,
    sessions,
    accessTokens,
    `${config.appUrl}/oauth/token`,
    clock,
  );
  const cliLogins = new CliLogins(pats, refreshTokens, t.cliTtlSeconds, clock);
  const tokenEndpoint = new TokenEndpoint(refreshTokens, deviceLogins, certificates);

  const maintenance = new TokenMaintenance(db, revocations, signingKeys, clock, logger);

  authenticator.add(patResolver(pats));
  authenticator.add(jwtResolver(accessTokens, activeUsers));
  sessions.onRevokeAllForUser((q, userId) => revocations.revokeAllForUser(q, userId));

  /** RFC 7009: whatever kind the token is, revoke what it stands for; unknown ones are ignored. */
  async function revokeAny(token: string, meta: RequestMeta) {
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

  return {
    revokeAny,
    pats,
    signingKeys,
    accessTokens,
    refreshTokens,
    deviceLogins,
    certificates,
    cliLogins,
    tokenEndpoint,
    tokenRevocations: revocations,
    maintenance,
    async stop() {
      maintenance.stop();
      await pats.stop();
    },
  };
}

export type TokenServices = ReturnType<typeof createTokenServices>;
