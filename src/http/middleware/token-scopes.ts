import type { MiddlewareHandler } from 'hono';
import { scopeRefusal } from '../../services/tokens/scopes';
import type { AppEnv } from '../app-env';
import { errorResponse } from '../errors';

/**
 * Token scopes, for every route at once: runs after authentication, and a request made with a
 * scoped credential (PAT, access JWT) that goes beyond its scopes is a 403 before any route
 * runs. Credentials without scopes (session cookies) have the full rights of the user's role.
 */
export function enforceTokenScopes(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const scopes = c.get('auth')?.scopes;
    if (scopes) {
      const refusal = scopeRefusal(scopes, c.req.method, c.req.path);
      if (refusal) return errorResponse(c, 'FORBIDDEN', refusal);
    }
    return next();
  };
}
