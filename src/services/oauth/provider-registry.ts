import type { Logger } from 'pino';
import type { SharedStore } from '../../cache/shared-store';
import { GITHUB_ENDPOINTS, GitHubUpstream } from '../../clients/identity/github-client';
import { OidcUpstream } from '../../clients/identity/oidc-client';
import type { UpstreamClient } from '../../clients/identity/upstream-client';
import { type LimitedFetch, limitedFetch } from '../../clients/identity/upstream-http';
import type { Config } from '../../config';
import type { Database } from '../../db/client';
import { type OAuthProviderRow, oauthProviders } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import type { Encryptor } from '../../lib/encryption';
import { envProviders } from './env-providers';
import type { ProviderDefinition } from './types';

const CHANNEL = 'oauth:providers';
/** Safety net only: changes normally arrive through the pub/sub invalidation at once. */
const CACHE_TTL_MS = 60_000;

/** The AES-GCM associated data of a stored client secret; the rotator must use the same. */
export const clientSecretAad = (providerId: string) =>
  `oauth_providers:${providerId}:client_secret`;

export interface ProviderRegistryDeps {
  db: Database;
  store: SharedStore;
  encryptor: Encryptor;
  config: Config;
  clock: Clock;
  logger: Logger;
}

/**
 * Every sign-in provider this server knows: environment ones plus database ones, cached in
 * process and forgotten on every instance as soon as an admin changes one (pub/sub).
 */
export class ProviderRegistry {
  private cached?: { at: number; list: ProviderDefinition[] };
  /** Bumped by every invalidation, so a load that started before it is never cached. */
  private generation = 0;
  private loading?: Promise<ProviderDefinition[]>;
  private readonly upstreams = new Map<string, { version: string; client: UpstreamClient }>();
  private readonly fromEnv: ProviderDefinition[];
  private readonly fetcher: LimitedFetch;

  constructor(private readonly deps: ProviderRegistryDeps) {
    const { store, config } = deps;
    this.fromEnv = envProviders(config);
    this.fetcher = limitedFetch({
      timeoutMs: config.oauth.httpTimeoutMs,
      maxBytes: config.oauth.maxResponseBytes,
    });
    store.subscribe(CHANNEL, () => this.forget());
    store.onResync(() => this.forget());
  }

  /** Every provider, enabled or not, environment first. */
  async all(): Promise<ProviderDefinition[]> {
    const now = this.deps.clock.now();
    // Without a reliable bus another instance's change might never reach us: read through.
    if (
      this.cached &&
      now - this.cached.at < CACHE_TTL_MS &&
      this.deps.store.invalidationReliable()
    ) {
      return this.cached.list;
    }
    if (!this.loading) {
      const loading = this.load().finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  async enabled(): Promise<ProviderDefinition[]> {
    return (await this.all()).filter((p) => p.enabled);
  }

  /** The enabled provider with this id, or undefined. */
  async get(id: string): Promise<ProviderDefinition | undefined> {
    return (await this.enabled()).find((p) => p.id === id);
  }

  isEnvProvider(id: string): boolean {
    return this.fromEnv.some((p) => p.id === id);
  }

  envDefinitions(): ProviderDefinition[] {
    return this.fromEnv;
  }

  /** The protocol client for a provider, rebuilt when its configuration changed. */
  upstream(provider: ProviderDefinition): UpstreamClient {
    const known = this.upstreams.get(provider.id);
    if (known && known.version === provider.version) return known.client;
    const client =
      provider.type === 'github'
        ? new GitHubUpstream(provider, this.githubEndpoints(), this.fetcher)
        : new OidcUpstream(
            provider,
            {
              timeoutMs: this.deps.config.oauth.httpTimeoutMs,
              maxBytes: this.deps.config.oauth.maxResponseBytes,
            },
            this.fetcher,
          );
    this.upstreams.set(provider.id, { version: provider.version, client });
    return client;
  }

  private githubEndpoints() {
    const test = this.deps.config.oauth.testEndpoints?.githubUrl;
    return test ? { web: test, api: test } : GITHUB_ENDPOINTS;
  }

  /** Call after a committed change: every instance (this one included) reloads. */
  async changed(): Promise<void> {
    this.forget();
    await this.deps.store.publish(CHANNEL, String(this.deps.clock.now()));
  }

  private forget() {
    this.generation += 1;
    this.cached = undefined;
    this.loading = undefined;
  }

  private async load(): Promise<ProviderDefinition[]> {
    const generation = this.generation;
    const rows = await this.deps.db.select().from(oauthProviders).orderBy(oauthProviders.createdAt);
    const list = [...this.fromEnv];
    for (const row of rows) {
      if (this.isEnvProvider(row.id)) continue;
      const def = this.fromRow(row);
      if (def) list.push(def);
    }
    if (generation === this.generation) this.cached = { at: this.deps.clock.now(), list };
    return list;
  }

  private fromRow(row: OAuthProviderRow): ProviderDefinition | undefined {
    let clientSecret: string;
    try {
      clientSecret = this.deps.encryptor.decrypt(
        row.clientSecretEncrypted,
        clientSecretAad(row.id),
      );
    } catch {
      // Wrong or retired key: the provider cannot work, but the others must.
      this.deps.logger.error(
        { provider: row.id, keyId: row.secretKeyId },
        'oauth provider secret cannot be decrypted; provider skipped',
      );
      return undefined;
    }
    return {
      id: row.id,
      type: row.type,
      displayName: row.displayName,
      clientId: row.clientId,
      clientSecret,
      issuer: row.issuer ?? undefined,
      baseUrl: row.baseUrl ?? undefined,
      scopes: row.scopes,
      enabled: row.enabled,
      allowSignup: row.allowSignup,
      trustEmail: row.trustEmail,
      source: 'database',
      version: row.updatedAt.toISOString(),
    };
  }
}
