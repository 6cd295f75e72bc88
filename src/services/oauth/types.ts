export const PROVIDER_TYPES = ['github', 'google', 'gitlab', 'okta', 'oidc'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** A sign-in provider as the login flow uses it, whether from the environment or the database. */
export interface ProviderDefinition {
  id: string;
  type: ProviderType;
  displayName: string;
  clientId: string;
  clientSecret: string;
  /** OIDC issuer, exactly as ID tokens carry it (not used for GitHub). */
  issuer?: string;
  /** GitLab instance URL. */
  baseUrl?: string;
  scopes: string[];
  enabled: boolean;
  allowSignup: boolean;
  trustEmail: boolean;
  source: 'environment' | 'database';
  /** Changes whenever the configuration changes, so cached upstream clients are rebuilt. */
  version: string;
}

/** What a provider told us about the person signing in. */
export interface ExternalProfile {
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
  username?: string;
  picture?: string;
}

/**
 * Ids that can never name a provider: other engineers' OAuth server endpoints live at
 * /oauth/token, /oauth/device/code and /oauth/revoke, and "password" is the password method.
 */
export const RESERVED_PROVIDER_IDS = new Set([
  'token',
  'device',
  'revoke',
  'authorize',
  'introspect',
  'userinfo',
  'jwks',
  'register',
  'callback',
  'login',
  'logout',
  'password',
]);

export const PROVIDER_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export const DEFAULT_SCOPES: Record<ProviderType, string[]> = {
  github: ['read:user', 'user:email'],
  google: ['openid', 'email', 'profile'],
  gitlab: ['openid', 'email', 'profile'],
  okta: ['openid', 'email', 'profile'],
  oidc: ['openid', 'email', 'profile'],
};

export const DEFAULT_NAMES: Record<ProviderType, string> = {
  github: 'GitHub',
  google: 'Google',
  gitlab: 'GitLab',
  okta: 'Okta',
  oidc: 'Single sign-on',
};
