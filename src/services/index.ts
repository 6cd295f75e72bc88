import type { Logger } from 'pino';
import packageJson from '../../package.json' with { type: 'json' };
import type { SharedStore } from '../cache/shared-store';
import { SmtpMailer } from '../clients/mail/smtp';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/client';
import type { Clock } from '../lib/clock';
import { Encryptor } from '../lib/encryption';
import { AuditLog } from './audit/audit-log';
import { AccountService } from './auth/account-service';
import { Authenticator, sessionResolver } from './auth/authenticator';
import { MfaService } from './auth/mfa-service';
import { SignOut } from './auth/sign-out';
import { createCodegenServices } from './codegen';
import type { CoreDeps } from './deps';
import { SecretRotation } from './encryption/secret-rotation';
import { IacService } from './iac';
import { AttemptLimits } from './limits/attempt-limits';
import { RequestLimit } from './limits/request-limit';
import { createOAuthServices } from './oauth';
import { Metrics } from './observability/metrics';
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

/**
 * Every service, built once per app from its dependencies and grouped by area (the folders of
 * src/services): `services.<area>.<service>`. Each service takes one deps object.
 */
export function createServices(deps: AppDeps) {
  const { config, database, store, logger, clock } = deps;
  const db = database.db;
  const core: CoreDeps = { db, store, config, logger, clock };
  const sessions = new SessionService({ db, store, config, clock, logger });
  const attempts = new AttemptLimits({ store, config });
  const requests = new RequestLimit({ db, store, config, clock });
  const authenticator = new Authenticator({ resolvers: [sessionResolver({ sessions })] });
  const encryptor = new Encryptor(config.encryptionKey, config.previousEncryptionKeys);
  const tenancy = new TenancyService({
    db,
    clock,
    appUrl: config.appUrl,
    // Memberships change users.team_id, which cached identities carry.
    onUserChanged: (userId) => sessions.invalidate({ userId }),
    mailer: config.smtp ? new SmtpMailer(config.smtp) : undefined,
    logger,
    publicCompanyDirectory: config.publicCompanyDirectory,
  });
  const tokens = createTokenServices({ ...core, encryptor, sessions, authenticator, tenancy });
  const mfa = new MfaService({ db, encryptor, limits: attempts, clock, issuer: 'Kubegram' });
  const accounts = new AccountService({ db, sessions, limits: attempts, mfa, config, clock });
  const codegen = createCodegenServices({ ...core, tenancy });
  const metrics = new Metrics({
    websocketSubscribers: () => codegen.hub.subscriberCount(),
    sharedCacheConnected: () => (config.redis && store.invalidationReliable() ? 1 : 0),
    version: packageJson.version,
  });
  return {
    audit: { logs: new AuditLog({ db }) },
    auth: {
      authenticator,
      accounts,
      mfa,
      signOut: new SignOut({ accounts, pats: tokens.pats, refreshTokens: tokens.refreshTokens }),
    },
    codegen,
    encryption: { encryptor, rotation: new SecretRotation({ db, encryptor }) },
    iac: { manifests: new IacService({ db, tenancy }) },
    limits: { attempts, requests },
    oauth: createOAuthServices({ ...core, encryptor, sessions }),
    observability: { metrics },
    sessions: {
      registry: sessions,
      own: new OwnSessions({ db, sessions, cliLogins: tokens.cliLogins }),
    },
    tenancy: { directory: tenancy },
    tokens,
    users: { records: new UserService({ db, sessions, clock }) },
    /** Flushes buffered writes; called once at shutdown. */
    async stop() {
      await codegen.stop();
      await sessions.stop();
      await tokens.stop();
      requests.stop();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
