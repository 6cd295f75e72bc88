import { asc, eq } from 'drizzle-orm';
import { isAcceptableUpstreamUrl } from '../../clients/identity/upstream-http';
import type { Config } from '../../config';
import type { Database } from '../../db/client';
import { type OAuthProviderRow, oauthProviders } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import type { Encryptor } from '../../lib/encryption';
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import { GOOGLE_ISSUER } from './env-providers';
import { envView, type ProviderView, rowView } from './oauth-config-views';
import { clientSecretAad, type ProviderRegistry } from './provider-registry';
import {
  DEFAULT_NAMES,
  DEFAULT_SCOPES,
  PROVIDER_ID_PATTERN,
  type ProviderType,
  RESERVED_PROVIDER_IDS,
} from './types';

export interface ProviderSettings {
  displayName?: string;
  clientId?: string;
  clientSecret?: string;
  issuer?: string | null;
  baseUrl?: string | null;
  scopes?: string[];
  enabled?: boolean;
  allowSignup?: boolean;
  trustEmail?: boolean;
}

export interface NewProvider extends ProviderSettings {
  id: string;
  type: ProviderType;
  clientId: string;
  clientSecret: string;
}

const OIDC_TYPES = new Set<ProviderType>(['google', 'gitlab', 'okta', 'oidc']);

export interface OAuthConfigServiceDeps {
  db: Database;
  encryptor: Encryptor;
  config: Pick<Config, 'appUrl' | 'oauth'>;
  clock: Clock;
  registry: ProviderRegistry;
}

/** Admin configuration of database providers: validated, secret encrypted, audited. */
export class OAuthConfigService {
  constructor(private readonly deps: OAuthConfigServiceDeps) {}

  async list(): Promise<ProviderView[]> {
    const rows = await this.deps.db
      .select()
      .from(oauthProviders)
      .orderBy(asc(oauthProviders.createdAt));
    return [
      ...this.deps.registry.envDefinitions().map((p) => envView(this.deps.config.appUrl, p)),
      ...rows
        .filter((r) => !this.deps.registry.isEnvProvider(r.id))
        .map((r) => rowView(this.deps.config.appUrl, r)),
    ];
  }

  async get(id: string): Promise<ProviderView> {
    const env = this.deps.registry.envDefinitions().find((p) => p.id === id);
    if (env) return envView(this.deps.config.appUrl, env);
    return rowView(this.deps.config.appUrl, await this.row(id));
  }

  async create(input: NewProvider, actorId: number, meta: RequestMeta): Promise<ProviderView> {
    const issues: FieldIssue[] = [];
    if (!PROVIDER_ID_PATTERN.test(input.id) || RESERVED_PROVIDER_IDS.has(input.id)) {
      issues.push({ path: 'id', message: 'Must be a lower-case slug that is not reserved' });
    }
    const endpoints = this.endpoints(input.type, input.issuer, input.baseUrl, issues);
    if (issues.length > 0) throw new ValidationError('Invalid provider configuration', issues);
    if (this.deps.registry.isEnvProvider(input.id)) {
      throw new ConflictError(`Provider "${input.id}" is configured through environment variables`);
    }
    const secret = this.deps.encryptor.encrypt(input.clientSecret, clientSecretAad(input.id));
    const row = await this.deps.db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(oauthProviders)
        .values({
          id: input.id,
          type: input.type,
          displayName: input.displayName ?? DEFAULT_NAMES[input.type],
          clientId: input.clientId,
          clientSecretEncrypted: secret,
          secretKeyId: this.deps.encryptor.activeKeyId,
          issuer: endpoints.issuer,
          baseUrl: endpoints.baseUrl,
          scopes: this.scopes(input.type, input.scopes),
          enabled: input.enabled ?? true,
          allowSignup: input.allowSignup ?? false,
          trustEmail: input.trustEmail ?? false,
        })
        .onConflictDoNothing()
        .returning();
      if (!inserted) throw new ConflictError(`Provider "${input.id}" already exists`);
      await recordAudit(tx, {
        action: 'oauth_config.create',
        userId: actorId,
        resourceType: 'oauth_provider',
        resourceId: input.id,
        details: this.auditDetails(inserted),
        ...meta,
      });
      return inserted;
    });
    await this.deps.registry.changed();
    return rowView(this.deps.config.appUrl, row);
  }

  async update(
    id: string,
    patch: ProviderSettings,
    actorId: number,
    meta: RequestMeta,
  ): Promise<ProviderView> {
    this.refuseEnv(id);
    const row = await this.deps.db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(oauthProviders)
        .where(eq(oauthProviders.id, id))
        .for('update');
      if (!current) throw new NotFoundError('OAuth provider');
      const issues: FieldIssue[] = [];
      const endpoints = this.endpoints(
        current.type,
        patch.issuer === undefined ? current.issuer : patch.issuer,
        patch.baseUrl === undefined ? current.baseUrl : patch.baseUrl,
        issues,
      );
      if (issues.length > 0) throw new ValidationError('Invalid provider configuration', issues);
      const secret =
        patch.clientSecret === undefined
          ? undefined
          : this.deps.encryptor.encrypt(patch.clientSecret, clientSecretAad(id));
      const [updated] = await tx
        .update(oauthProviders)
        .set({
          displayName: patch.displayName ?? current.displayName,
          clientId: patch.clientId ?? current.clientId,
          ...(secret
            ? { clientSecretEncrypted: secret, secretKeyId: this.deps.encryptor.activeKeyId }
            : {}),
          issuer: endpoints.issuer,
          baseUrl: endpoints.baseUrl,
          scopes: patch.scopes ? this.scopes(current.type, patch.scopes) : current.scopes,
          enabled: patch.enabled ?? current.enabled,
          allowSignup: patch.allowSignup ?? current.allowSignup,
          trustEmail: patch.trustEmail ?? current.trustEmail,
          updatedAt: new Date(this.deps.clock.now()),
        })
        .where(eq(oauthProviders.id, id))
        .returning();
      await recordAudit(tx, {
        action: 'oauth_config.update',
        userId: actorId,
        resourceType: 'oauth_provider',
        resourceId: id,
        details: {
          ...this.auditDetails(updated!),
          changed: Object.keys(patch).filter((k) => k !== 'clientSecret'),
          secretChanged: secret !== undefined,
        },
        ...meta,
      });
      return updated!;
    });
    await this.deps.registry.changed();
    return rowView(this.deps.config.appUrl, row);
  }

  async remove(id: string, actorId: number, meta: RequestMeta): Promise<void> {
    this.refuseEnv(id);
    await this.deps.db.transaction(async (tx) => {
      const [deleted] = await tx
        .delete(oauthProviders)
        .where(eq(oauthProviders.id, id))
        .returning();
      if (!deleted) throw new NotFoundError('OAuth provider');
      await recordAudit(tx, {
        action: 'oauth_config.delete',
        userId: actorId,
        resourceType: 'oauth_provider',
        resourceId: id,
        details: this.auditDetails(deleted),
        ...meta,
      });
    });
    await this.deps.registry.changed();
  }

  private refuseEnv(id: string) {
    if (this.deps.registry.isEnvProvider(id)) {
      throw new ForbiddenError(
        `Provider "${id}" is configured through environment variables and is read-only here`,
      );
    }
  }

  private async row(id: string): Promise<OAuthProviderRow> {
    const [row] = await this.deps.db.select().from(oauthProviders).where(eq(oauthProviders.id, id));
    if (!row) throw new NotFoundError('OAuth provider');
    return row;
  }

  /** Issuer/base URL rules per type: https only (http for loopback test providers). */
  private endpoints(
    type: ProviderType,
    issuer: string | null | undefined,
    baseUrl: string | null | undefined,
    issues: FieldIssue[],
  ): { issuer: string | null; baseUrl: string | null } {
    const check = (path: string, value: string) => {
      if (!isAcceptableUpstreamUrl(value)) {
        issues.push({ path, message: 'Must be an https URL (http only for loopback addresses)' });
      }
      return value.replace(/\/+$/, '');
    };
    switch (type) {
      case 'github':
        return { issuer: null, baseUrl: null };
      case 'google':
        return {
          issuer: this.deps.config.oauth.testEndpoints?.googleIssuer ?? GOOGLE_ISSUER,
          baseUrl: null,
        };
      case 'gitlab': {
        const base = check('baseUrl', baseUrl ?? 'https://gitlab.com');
        return { issuer: base, baseUrl: base };
      }
      default:
        if (!issuer) {
          issues.push({ path: 'issuer', message: 'Required for OpenID Connect providers' });
          return { issuer: null, baseUrl: null };
        }
        // Kept exactly as given: discovery and ID tokens must carry this very string.
        if (!isAcceptableUpstreamUrl(issuer)) {
          issues.push({
            path: 'issuer',
            message: 'Must be an https URL (http only for loopback addresses)',
          });
        }
        return { issuer, baseUrl: null };
    }
  }

  private scopes(type: ProviderType, scopes: string[] | undefined): string[] {
    const list = scopes && scopes.length > 0 ? [...new Set(scopes)] : DEFAULT_SCOPES[type];
    return OIDC_TYPES.has(type) && !list.includes('openid') ? ['openid', ...list] : list;
  }

  private auditDetails(row: OAuthProviderRow) {
    return {
      type: row.type,
      issuer: row.issuer,
      enabled: row.enabled,
      allowSignup: row.allowSignup,
      trustEmail: row.trustEmail,
    };
  }
}
