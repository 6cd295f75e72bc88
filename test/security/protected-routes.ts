import type { UserRole } from '../../src/db/schema';

/**
 * Every protected route, for the shared security suite (protected-routes.test.ts).
 * Adding an endpoint? Add it here and it gets the no-credentials, bad-token, expired,
 * revoked, disabled and wrong-role checks for free. `{self}` is replaced by the caller's
 * user id. `minRole` is the weakest platform role that may call it at all.
 */
export interface ProtectedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  minRole?: UserRole;
}

export const PROTECTED_ROUTES: ProtectedRoute[] = [
  { method: 'GET', path: '/api/public/v1/auth/me' },
  { method: 'POST', path: '/api/public/v1/auth/logout' },
  { method: 'GET', path: '/api/public/v1/auth/sessions' },
  { method: 'DELETE', path: '/api/public/v1/auth/sessions?others=true' },
  { method: 'DELETE', path: '/api/public/v1/auth/sessions/00000000-0000-4000-8000-000000000000' },
  { method: 'GET', path: '/api/public/v1/users', minRole: 'admin' },
  { method: 'GET', path: '/api/public/v1/users/{self}' },
  { method: 'PATCH', path: '/api/public/v1/users/{self}', body: { name: 'Changed' } },
  { method: 'DELETE', path: '/api/public/v1/users/{self}', minRole: 'admin' },
  { method: 'GET', path: '/api/v1/admin/audit-logs', minRole: 'admin' },
  // Sign-in providers (issue #3).
  { method: 'GET', path: '/api/public/v1/auth/identities' },
  { method: 'DELETE', path: '/api/public/v1/auth/identities/999999' },
  { method: 'GET', path: '/api/v1/admin/oauth-config', minRole: 'admin' },
  {
    method: 'POST',
    path: '/api/v1/admin/oauth-config',
    body: { id: 'sec', type: 'github', clientId: 'c', clientSecret: 's' },
    minRole: 'admin',
  },
  { method: 'GET', path: '/api/v1/admin/oauth-config/sec', minRole: 'admin' },
  {
    method: 'PUT',
    path: '/api/v1/admin/oauth-config/sec',
    body: { enabled: false },
    minRole: 'admin',
  },
  { method: 'DELETE', path: '/api/v1/admin/oauth-config/sec', minRole: 'admin' },
  { method: 'POST', path: '/api/v1/admin/encryption/rotate', minRole: 'admin' },
];
