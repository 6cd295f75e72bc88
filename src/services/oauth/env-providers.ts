import type { Config } from '../../config';
import { DEFAULT_NAMES, DEFAULT_SCOPES, type ProviderDefinition, type ProviderType } from './types';

const GOOGLE_ISSUER = 'https://accounts.google.com';

/** Okta's org authorization server is https://{domain}; a full URL (custom server) is kept. */
export function oktaIssuer(domain: string): string {
  const withScheme = /^https?:\/\//i.test(domain) ? domain : `https://${domain}`;
  return withScheme.replace(/\/+$/, '');
}

/** The providers switched on through environment variables; read-only for the admin API. */
export function envProviders(config: Config): ProviderDefinition[] {
  const o = config.oauth;
  const make = (
    type: ProviderType,
    creds: { clientId: string; clientSecret: string },
    extra: Partial<ProviderDefinition> = {},
  ): ProviderDefinition => ({
    id: type,
    type,
    displayName: DEFAULT_NAMES[type],
    clientId: creds.clientId,
    clientSecret: creds.clientSecret,
    scopes: DEFAULT_SCOPES[type],
    enabled: true,
    allowSignup: o.allowSignup.includes(type),
    trustEmail: o.trustEmail.includes(type),
    source: 'environment',
    version: 'env',
    ...extra,
  });
  const list: ProviderDefinition[] = [];
  if (o.github) list.push(make('github', o.github));
  if (o.google) {
    list.push(make('google', o.google, { issuer: o.testEndpoints?.googleIssuer ?? GOOGLE_ISSUER }));
  }
  if (o.gitlab) {
    const base = o.gitlab.url.replace(/\/+$/, '');
    list.push(make('gitlab', o.gitlab, { baseUrl: base, issuer: base }));
  }
  if (o.okta) list.push(make('okta', o.okta, { issuer: oktaIssuer(o.okta.domain) }));
  return list;
}

export { GOOGLE_ISSUER };
