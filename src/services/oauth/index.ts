import type { Logger } from 'pino';
import type { SharedStore } from '../../cache/shared-store';
import type { Config } from '../../config';
import type { Database } from '../../db/client';
import type { Encryptor } from '../../lib/encryption';
import type { SessionService } from '../sessions/session-service';
import { IdentityService } from './identity-service';
import { OAuthConfigService } from './oauth-config-service';
import { OAuthFlowService } from './oauth-flow-service';
import { OAuthLoginService } from './oauth-login-service';
import { ProviderRegistry } from './provider-registry';

export interface OAuthServiceDeps {
  db: Database;
  store: SharedStore;
  encryptor: Encryptor;
  config: Config;
  logger: Logger;
  sessions: SessionService;
}

/** Sign-in providers (issue #3): registry, browser flow, identities, admin configuration. */
export function createOAuthServices(deps: OAuthServiceDeps) {
  const { db, store, encryptor, config, logger, sessions } = deps;
  const oauthProviders = new ProviderRegistry(db, store, encryptor, config, logger);
  const oauthLogins = new OAuthLoginService(db, sessions, config);
  return {
    oauthProviders,
    oauthFlow: new OAuthFlowService(db, store, encryptor, config, oauthProviders, oauthLogins),
    oauthConfig: new OAuthConfigService(db, encryptor, config, oauthProviders),
    identities: new IdentityService(db, oauthProviders),
  };
}
