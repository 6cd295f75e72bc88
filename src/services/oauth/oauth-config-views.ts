import type { OAuthProviderRow } from '../../db/schema';
import type { ProviderDefinition, ProviderType } from './types';

/** The admin API's view of a provider. The client secret never leaves: only a mask. */
export interface ProviderView {
  id: string;
  type: ProviderType;
  displayName: string;
  clientId: string;
  clientSecret: string;
  issuer: string | null;
  baseUrl: string | null;
  scopes: string[];
  enabled: boolean;
  allowSignup: boolean;
  trustEmail: boolean;
  source: 'environment' | 'database';
  readOnly: boolean;
  callbackUrl: string;
  loginUrl: string;
  secretKeyId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

const SECRET_MASK = '********';

const urls = (appUrl: string, id: string) => ({
  callbackUrl: `${appUrl}/oauth/${id}/callback`,
  loginUrl: `/oauth/${id}`,
});

/** An environment provider as the admin API shows it: read-only, secret masked. */
export function envView(appUrl: string, p: ProviderDefinition): ProviderView {
  return {
    id: p.id,
    type: p.type,
    displayName: p.displayName,
    clientId: p.clientId,
    clientSecret: SECRET_MASK,
    issuer: p.issuer ?? null,
    baseUrl: p.baseUrl ?? null,
    scopes: p.scopes,
    enabled: p.enabled,
    allowSignup: p.allowSignup,
    trustEmail: p.trustEmail,
    source: 'environment',
    readOnly: true,
    ...urls(appUrl, p.id),
    secretKeyId: null,
    createdAt: null,
    updatedAt: null,
  };
}

/** A database provider as the admin API shows it; the ciphertext never leaves either. */
export function rowView(appUrl: string, r: OAuthProviderRow): ProviderView {
  return {
    id: r.id,
    type: r.type,
    displayName: r.displayName,
    clientId: r.clientId,
    clientSecret: SECRET_MASK,
    issuer: r.issuer,
    baseUrl: r.baseUrl,
    scopes: r.scopes,
    enabled: r.enabled,
    allowSignup: r.allowSignup,
    trustEmail: r.trustEmail,
    source: 'database',
    readOnly: false,
    ...urls(appUrl, r.id),
    secretKeyId: r.secretKeyId,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
