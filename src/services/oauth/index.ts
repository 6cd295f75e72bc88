import type { Encryptor } from '../../lib/encryption';
import type { CoreDeps } from '../deps';
import type { SessionService } from '../sessions/session-service';
import { IdentityService } from './identity-service';
import { OAuthConfigService } from './oauth-config-service';
import { OAuthFlowService } from './oauth-flow-service';
import { OAuthLoginService } from './oauth-login-service';
import { ProviderRegistry } from './provider-registry';

export interface OAuthServiceDeps extends CoreDeps {
  encryptor: Encryptor;
  sessions: SessionService;
}

/** Sign-in providers (issue #3): registry, browser flow, identities, admin configuration. */
export function createOAuthServices(deps: OAuthServiceDeps) {
  const { db, store, encryptor, config, logger, clock, sessions } = deps;
  const registry = new ProviderRegistry({ db, store, encryptor, config, logger, clock });
  const logins = new OAuthLoginService({ db, sessions, config, clock });
  return {
    providers: registry,
    flow: new OAuthFlowService({ db, store, encryptor, config, clock, registry, logins }),
    config: new OAuthConfigService({ db, encryptor, config, clock, registry }),
    identities: new IdentityService({ db, registry }),
  };
}
