import type { RequestMeta } from '../audit/audit-service';
import type { DeviceAuthorizationService } from './device-service';
import { OAuthError } from './oauth-error';
import type { RefreshTokenService, TokenResponse } from './refresh-service';

export const GRANT_REFRESH = 'refresh_token';
export const GRANT_DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
export const GRANT_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const SUPPORTED_GRANTS = [GRANT_REFRESH, GRANT_DEVICE, GRANT_JWT_BEARER];

export interface AssertionExchanger {
  exchange(assertion: string | undefined, meta: RequestMeta): Promise<TokenResponse>;
}

export interface TokenEndpointDeps {
  refresh: RefreshTokenService;
  device: DeviceAuthorizationService;
  assertions: AssertionExchanger;
}

/** POST /oauth/token: dispatches on grant_type (RFC 6749 §4, RFC 8628 §3.4, RFC 7523 §2.1). */
export class TokenEndpoint {
  constructor(private readonly deps: TokenEndpointDeps) {}

  grant(params: Record<string, string | undefined>, meta: RequestMeta): Promise<TokenResponse> {
    switch (params.grant_type) {
      case GRANT_REFRESH:
        if (!params.refresh_token) {
          throw new OAuthError('invalid_request', 'refresh_token is required');
        }
        return this.deps.refresh.refresh(params.refresh_token, params.client_id, meta);
      case GRANT_DEVICE:
        return this.deps.device.poll(params.device_code, params.client_id);
      case GRANT_JWT_BEARER:
        return this.deps.assertions.exchange(params.assertion, meta);
      case undefined:
      case '':
        throw new OAuthError('invalid_request', 'grant_type is required');
      default:
        throw new OAuthError('unsupported_grant_type', 'Unsupported grant_type');
    }
  }
}
