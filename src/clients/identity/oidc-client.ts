import * as oidc from 'openid-client';
import type { ExternalProfile, ProviderDefinition } from '../../services/oauth/types';
import type { AuthorizationRequest, CodeExchange, UpstreamClient } from './upstream-client';
import { isLoopbackUrl, type LimitedFetch, type UpstreamLimits } from './upstream-http';

/** Discovery results are reused for this long; JWKS rotation is handled by openid-client. */
const DISCOVERY_TTL_MS = 60 * 60_000;
/**
 * A failed discovery is remembered briefly, so a burst of sign-in attempts against a broken
 * or hostile issuer cannot turn into a burst of outbound requests.
 */
const FAILED_DISCOVERY_TTL_MS = 5_000;

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 2048) : undefined);

/**
 * Client authentication chosen from the provider's metadata at call time: client_secret_basic
 * (the OIDC default) unless the provider only supports client_secret_post.
 */
function secretAuth(secret: string): oidc.ClientAuth {
  const basic = oidc.ClientSecretBasic(secret);
  const post = oidc.ClientSecretPost(secret);
  return (as, client, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    const usePost = Array.isArray(methods) && !methods.includes('client_secret_basic');
    (usePost ? post : basic)(as, client, body, headers);
  };
}

/**
 * Google, GitLab, Okta and any OpenID Connect provider, through openid-client: discovery,
 * PKCE, and ID-token validation (signature against the provider's JWKS, iss, aud, nonce, exp).
 */
export class OidcUpstream implements UpstreamClient {
  readonly usesNonce = true;
  private discovered?: { at: number; ttl: number; config: Promise<oidc.Configuration> };

  constructor(
    private readonly provider: ProviderDefinition,
    private readonly limits: UpstreamLimits,
    private readonly fetcher: LimitedFetch,
  ) {}

  private configuration(): Promise<oidc.Configuration> {
    const now = Date.now();
    if (!this.discovered || now - this.discovered.at > this.discovered.ttl) {
      const entry = { at: now, ttl: DISCOVERY_TTL_MS, config: this.discover() };
      this.discovered = entry;
      entry.config.catch(() => {
        entry.at = Date.now();
        entry.ttl = FAILED_DISCOVERY_TTL_MS;
      });
    }
    return this.discovered.config;
  }

  private async discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.provider.issuer!);
    const execute = [oidc.enableNonRepudiationChecks];
    if (issuer.protocol === 'http:' && isLoopbackUrl(issuer))
      execute.push(oidc.allowInsecureRequests);
    const fetcher = this.fetcher;
    return oidc.discovery(
      issuer,
      this.provider.clientId,
      { client_secret: this.provider.clientSecret },
      secretAuth(this.provider.clientSecret),
      {
        [oidc.customFetch]: (url, options) => fetcher(url, options as RequestInit),
        timeout: this.limits.timeoutMs / 1000,
        execute,
      },
    );
  }

  async responseIssuer() {
    const metadata = (await this.configuration()).serverMetadata();
    return {
      issuer: metadata.issuer,
      required: metadata.authorization_response_iss_parameter_supported === true,
    };
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const config = await this.configuration();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: request.redirectUri,
      scope: this.provider.scopes.join(' '),
      state: request.state,
      nonce: request.nonce!,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    });
  }

  async exchange(exchange: CodeExchange): Promise<ExternalProfile> {
    const config = await this.configuration();
    const tokens = await oidc.authorizationCodeGrant(config, exchange.callbackUrl, {
      pkceCodeVerifier: exchange.codeVerifier,
      expectedState: exchange.state,
      expectedNonce: exchange.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('No ID token in the token response');
    let info: Record<string, unknown> = { ...claims };
    // Many providers keep email and profile claims in userinfo when an access token is issued.
    if ((!claims.email || claims.email_verified === undefined) && tokens.access_token) {
      if (config.serverMetadata().userinfo_endpoint) {
        const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        info = { ...userinfo, ...claims };
        if (!claims.email && userinfo.email) {
          info.email = userinfo.email;
          info.email_verified = userinfo.email_verified;
        }
      }
    }
    return {
      subject: claims.sub,
      email: str(info.email),
      emailVerified: info.email_verified === true || info.email_verified === 'true',
      name: str(info.name),
      username: str(info.preferred_username) ?? str(info.nickname),
      picture: str(info.picture),
    };
  }
}
