import type { ExternalProfile } from '../../services/oauth/types';

export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  nonce?: string;
  codeChallenge: string;
}

export interface CodeExchange {
  /** The callback URL as the provider sent the browser to it (redirect_uri + response query). */
  callbackUrl: URL;
  state: string;
  nonce?: string;
  codeVerifier: string;
}

/** One identity provider, spoken to over its own protocol (OIDC or GitHub's OAuth 2). */
export interface UpstreamClient {
  readonly usesNonce: boolean;
  authorizationUrl(request: AuthorizationRequest): Promise<URL>;
  /**
   * The issuer the `iss` authorization response parameter must carry (RFC 9207), and whether
   * the provider promised to send it; undefined when the provider has no issuer (GitHub).
   */
  responseIssuer(): Promise<{ issuer: string; required: boolean } | undefined>;
  exchange(exchange: CodeExchange): Promise<ExternalProfile>;
}
