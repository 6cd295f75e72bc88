/**
 * RFC 6749 §5.2 error of the token, device and revocation endpoints. These endpoints answer in
 * the RFC's shape ({"error", "error_description"}), not the API envelope, because standard
 * OAuth clients parse them.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'authorization_pending'
  | 'slow_down'
  | 'access_denied'
  | 'expired_token'
  | 'unsupported_token_type';

export class OAuthError extends Error {
  constructor(
    public readonly error: OAuthErrorCode,
    public readonly description: string,
    public readonly status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export const CLI_CLIENT_ID = 'kubegram-cli';

/** Clients of this server. Public clients (no secret): the CLI is the only one so far. */
export const OAUTH_CLIENTS: Record<string, { name: string }> = {
  [CLI_CLIENT_ID]: { name: 'Kubegram CLI' },
};

export function knownClient(clientId: string | undefined): clientId is string {
  return clientId !== undefined && Object.hasOwn(OAUTH_CLIENTS, clientId);
}
