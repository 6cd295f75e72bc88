import type { MiddlewareHandler } from 'hono';
import { servicePrincipalMayRequest } from '../../services/policy';
import { scopeRefusal } from '../../services/tokens/scopes';
import type { AppEnv } from '../app-env';
import { errorResponse } from '../errors';

/**
 * Token scopes, for every route at once: runs after authentication, and a request made with a
 * scoped credential (PAT, access JWT) that goes beyond its scopes is a 403 before any route
 * runs. Credentials without scopes (session cookies) have the full rights of the user's role.
 * Company-certificate tokens are further confined by policy.ts (servicePrincipalMayRequest).
 */
export function enforceTokenScopes(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    if (auth?.scopes) {
      const refusal = scopeRefusal(auth.scopes, c.req.method, c.req.path);
      if (refusal) return errorResponse(c, 'FORBIDDEN', refusal);
    }
    if (auth?.companyId && !servicePrincipalMayRequest(auth.companyId, c.req.method, c.req.path)) {
      return errorResponse(c, 'FORBIDDEN', 'A company certificate token cannot do this');
    }
    return next();
  };
}
