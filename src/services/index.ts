import type { Logger } from 'pino';
import packageJson from '../../package.json' with { type: 'json' };
import type { SharedStore } from '../cache/shared-store';
import { SmtpMailer } from '../clients/mail/smtp';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/client';
import type { Clock } from '../lib/clock';
import { Encryptor } from '../lib/encryption';
import { AccountService } from './auth/account-service';
import { Authenticator, sessionResolver } from './auth/authenticator';
import { MfaService } from './auth/mfa-service';
import { createSignOut } from './auth/sign-out';
import { createCodegenServices } from './codegen';
import { IacService } from './iac';
import { Metrics } from './metrics';
import { createOAuthServices } from './oauth';
import { RateLimits } from './rate-limits';
import { OwnSessions } from './sessions/own-sessions';
import { SessionService } from './sessions/session-service';
import { TenancyService } from './tenancy';
import { createTokenServices } from './tokens';
import { UserService } from './users/user-service';

/** Everything the app is built from; passed in, never imported as singletons. */
export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  store: SharedStore;
  logger: Logger;
  /** Access log (one line per request); defaults to `logger`. */
  accessLogger?: Logger;
  clock: Clock;
}

export function createServices(deps: AppDeps) {
  const { config, database, store, logger, clock } = deps;
  const db = database.db;
  const sessions = new SessionService(db, store, config, clock, logger);
  const rateLimits = new RateLimits(store, config, clock);
  const authenticator = new Authenticator([sessionResolver(sessions)]);
  const encryptor = new Encryptor(config.encryptionKey, config.previousEncryptionKeys);
  const tenancy = new TenancyService(
    {
      db,
      clock,
      appUrl: config.appUrl,
      // Memberships change users.team_id, which cached identities carry.
      onUserChanged: (userId) => sessions.invalidate({ userId }),
      mailer: config.smtp ? new SmtpMailer(config.smtp) : undefined,
      logger,
    },
    { publicCompanyDirectory: config.publicCompanyDirectory },
  );
  const tokens = createTokenServices({
    db,
    store,
    encryptor,
    config,
    logger,
    clock,
    sessions,
    authenticator,
    tenancy,
  });
  const mfa = new MfaService(db, encryptor, rateLimits, clock, 'Kubegram');
  const accounts = new AccountService(db, sessions, rateLimits, mfa, config);
  const codegen = createCodegenServices({ config, db, store, logger, clock, tenancy });
  const metrics = new Metrics({
    websocketSubscribers: () => codegen.codegenHub.subscriberCount(),
    sharedCacheConnected: () => (config.redis && store.invalidationReliable() ? 1 : 0),
    version: packageJson.version,
  });
  return {
    db,
    encryptor,
    sessions,
    rateLimits,
    authenticator,
    metrics,
    accounts,
    mfa,
    signOut: createSignOut(accounts, tokens.pats, tokens.refreshTokens),
    ownSessions: new OwnSessions(db, sessions, tokens.cliLogins),
    users: new UserService(db, sessions, clock),
    tenancy,
    iac: new IacService(db, tenancy),
    ...codegen,
    ...createOAuthServices({ db, store, encryptor, config, logger, sessions }),
    tokens,
    /** Flushes buffered writes; called once at shutdown. */
    async stop() {
      await codegen.stopCodegen();
      await sessions.stop();
      await tokens.stop();
      rateLimits.stop();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
