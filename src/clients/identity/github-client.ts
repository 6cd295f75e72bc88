import type { ExternalProfile, ProviderDefinition } from '../../services/oauth/types';
import type { AuthorizationRequest, CodeExchange, UpstreamClient } from './upstream-client';
import type { LimitedFetch } from './upstream-http';

export interface GitHubEndpoints {
  /** https://github.com: /login/oauth/authorize and /login/oauth/access_token. */
  web: string;
  /** https://api.github.com: /user and /user/emails. */
  api: string;
}

export const GITHUB_ENDPOINTS: GitHubEndpoints = {
  web: 'https://github.com',
  api: 'https://api.github.com',
};

/** GitHub said no at its token endpoint (a used or expired code, a wrong secret …). */
export class GitHubTokenError extends Error {
  constructor(readonly error: string) {
    super(`GitHub token endpoint refused the code: ${error}`);
  }
}

/** GitHub answered with something that is not what its API documents. */
export class GitHubResponseError extends Error {}

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * GitHub is OAuth 2 without OpenID Connect: code + PKCE at /login/oauth/*, then the REST API
 * for the profile. Only the verified primary email is taken.
 */
export class GitHubUpstream implements UpstreamClient {
  readonly usesNonce = false;

  constructor(
    private readonly provider: ProviderDefinition,
    private readonly endpoints: GitHubEndpoints,
    private readonly fetcher: LimitedFetch,
  ) {}

  async responseIssuer() {
    return undefined;
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const url = new URL('/login/oauth/authorize', this.endpoints.web);
    url.search = new URLSearchParams({
      client_id: this.provider.clientId,
      redirect_uri: request.redirectUri,
      scope: this.provider.scopes.join(' '),
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url;
  }

  async exchange(exchange: CodeExchange): Promise<ExternalProfile> {
    const code = exchange.callbackUrl.searchParams.get('code') ?? '';
    const redirectUri = new URL(exchange.callbackUrl.pathname, exchange.callbackUrl.origin).href;
    const res = await this.fetcher(new URL('/login/oauth/access_token', this.endpoints.web).href, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: this.provider.clientId,
        client_secret: this.provider.clientSecret,
        code,
        redirect_uri: redirectUri,
        code_verifier: exchange.codeVerifier,
      }).toString(),
    });
    const token = (await this.json(res)) as { access_token?: unknown; error?: unknown };
    // GitHub reports a bad code with 200 and an "error" member.
    if (typeof token.error === 'string') throw new GitHubTokenError(token.error.slice(0, 100));
    if (typeof token.access_token !== 'string' || token.access_token.length === 0) {
      throw new GitHubResponseError('GitHub token response without an access token');
    }
    const headers = {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${token.access_token}`,
      'x-github-api-version': '2022-11-28',
      'user-agent': 'kubegram-server',
    };
    const [userRes, emailsRes] = await Promise.all([
      this.fetcher(new URL('/user', this.endpoints.api).href, { headers }),
      this.fetcher(new URL('/user/emails', this.endpoints.api).href, { headers }),
    ]);
    const user = (await this.json(userRes)) as Record<string, unknown>;
    const emails = (await this.json(emailsRes)) as GitHubEmail[];
    if (typeof user.id !== 'number' || !Array.isArray(emails)) {
      throw new GitHubResponseError('GitHub /user or /user/emails answered unexpectedly');
    }
    const primary = emails.find((e) => e?.primary === true && e.verified === true);
    const str = (v: unknown) => (typeof v === 'string' && v ? v.slice(0, 2048) : undefined);
    return {
      // The numeric id is stable; the login name can be changed by its owner.
      subject: String(user.id),
      email: typeof primary?.email === 'string' ? primary.email : undefined,
      emailVerified: primary !== undefined,
      name: str(user.name) ?? str(user.login),
      username: str(user.login),
      picture: str(user.avatar_url),
    };
  }

  private async json(res: Response): Promise<unknown> {
    if (!res.ok) throw new GitHubResponseError(`GitHub answered HTTP ${res.status}`);
    try {
      return await res.json();
    } catch {
      throw new GitHubResponseError('GitHub answered with invalid JSON');
    }
  }
}
