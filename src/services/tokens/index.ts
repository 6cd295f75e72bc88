import type { Encryptor } from '../../lib/encryption';
import type { Authenticator } from '../auth/authenticator';
import type { CoreDeps } from '../deps';
import type { SessionService } from '../sessions/session-service';
import type { TenancyService } from '../tenancy';
import { AccessTokens } from './access-tokens';
import { CertificateService } from './certificates';
import { CliLogins } from './cli-logins';
import { DeviceAuthorizationService } from './device-service';
import { TokenMaintenance } from './maintenance';
import { CLI_CLIENT_ID } from './oauth-error';
import { PatService } from './pat-service';
import { RefreshTokenService } from './refresh-service';
import { jwtResolver, patResolver } from './resolvers';
import { TokenRevocationState } from './revocation-state';
import { TokenRevoker } from './revoke-any';
import { SigningKeyRing } from './signing-keys';
import { TokenEndpoint } from './token-endpoint';
import { ActiveUserCache } from './user-cache';

export interface TokenServiceDeps extends CoreDeps {
  encryptor: Encryptor;
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
  const activeUsers = new ActiveUserCache({ db, store });
  const pats = new PatService({ db, store, users: activeUsers, clock, logger });
  const signingKeys = new SigningKeyRing({
    db,
    store,
    encryptor,
    clock,
    logger,
    algorithm: t.signingAlgorithm,
    rsaModulusLength: t.rsaModulusLength,
    retainSeconds: t.accessTtlSeconds + 300,
  });
  const revocations = new TokenRevocationState({
    db,
    store,
    clock,
    logger,
    accessTtlSeconds: t.accessTtlSeconds,
  });
  const accessTokens = new AccessTokens({
    keys: signingKeys,
    revocations,
    clock,
    issuer: config.appUrl,
    audience: t.audience,
    ttlSeconds: t.accessTtlSeconds,
  });
  const refreshTokens = new RefreshTokenService({
    db,
    accessTokens,
    revocations,
    encryptor,
    clock,
    ttlSeconds: t.refreshTtlSeconds,
    graceSeconds: t.refreshGraceSeconds,
    clientTtlSeconds: { [CLI_CLIENT_ID]: t.cliTtlSeconds },
  });
  const deviceLogins = new DeviceAuthorizationService({
    db,
    store,
    refresh: refreshTokens,
    appUrl: config.appUrl,
    clock,
  });
  const certificates = new CertificateService({
    db,
    tenancy,
    sessions,
    accessTokens,
    tokenEndpointUrl: `${config.appUrl}/oauth/token`,
    clock,
  });
  const cliLogins = new CliLogins({
    pats,
    refreshTokens,
    ttlSeconds: t.cliTtlSeconds,
    clock,
  });
  const tokenEndpoint = new TokenEndpoint({
    refresh: refreshTokens,
    device: deviceLogins,
    assertions: certificates,
  });
  const maintenance = new TokenMaintenance({
    db,
    revocations,
    keys: signingKeys,
    clock,
    logger,
  });

  authenticator.add(patResolver({ pats }));
  authenticator.add(jwtResolver({ accessTokens, users: activeUsers }));
  sessions.onRevokeAllForUser((q, userId) => revocations.revokeAllForUser(q, userId));

  return {
    pats,
    signingKeys,
    accessTokens,
    refreshTokens,
    deviceLogins,
    certificates,
    cliLogins,
    tokenEndpoint,
    revocations,
    revoker: new TokenRevoker({ pats, accessTokens, refreshTokens }),
    maintenance,
    async stop() {
      maintenance.stop();
      await pats.stop();
    },
  };
}
