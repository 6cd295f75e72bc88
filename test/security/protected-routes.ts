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
  {
    method: 'POST',
    path: '/api/public/v1/auth/password',
    body: { currentPassword: 'x', newPassword: 'y' },
  },
  { method: 'GET', path: '/api/public/v1/auth/mfa' },
  { method: 'POST', path: '/api/public/v1/auth/mfa/totp' },
  { method: 'POST', path: '/api/public/v1/auth/mfa/totp/confirm', body: { code: '123456' } },
  { method: 'POST', path: '/api/public/v1/auth/mfa/totp/disable', body: { code: '123456' } },
  { method: 'POST', path: '/api/public/v1/auth/mfa/recovery-codes', body: { code: '123456' } },
  { method: 'GET', path: '/api/public/v1/auth/sessions' },
  { method: 'DELETE', path: '/api/public/v1/auth/sessions?others=true' },
  { method: 'DELETE', path: '/api/public/v1/auth/sessions/00000000-0000-4000-8000-000000000000' },
  { method: 'GET', path: '/api/public/v1/users', minRole: 'admin' },
  { method: 'GET', path: '/api/public/v1/users/{self}' },
  { method: 'PATCH', path: '/api/public/v1/users/{self}', body: { name: 'Changed' } },
  { method: 'DELETE', path: '/api/public/v1/users/{self}', minRole: 'admin' },
  { method: 'DELETE', path: '/api/public/v1/users/999999/mfa', minRole: 'admin' },
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
  // Tenancy and manifests (issue #4); tenant isolation itself: test/tenancy/isolation-matrix.test.ts.
  { method: 'POST', path: '/api/public/v1/companies', body: { name: 'Sec' } },
  {
    method: 'PATCH',
    path: '/api/public/v1/companies/00000000-0000-4000-8000-000000000000',
    body: { name: 'Sec' },
  },
  { method: 'DELETE', path: '/api/public/v1/companies/00000000-0000-4000-8000-000000000000' },
  { method: 'GET', path: '/api/public/v1/companies/00000000-0000-4000-8000-000000000000/members' },
  {
    method: 'POST',
    path: '/api/public/v1/companies/00000000-0000-4000-8000-000000000000/members',
    body: { userId: '1' },
  },
  { method: 'GET', path: '/api/public/v1/organizations' },
  { method: 'GET', path: '/api/public/v1/organizations/1' },
  {
    method: 'POST',
    path: '/api/public/v1/organizations',
    body: { companyId: '00000000-0000-4000-8000-000000000000', name: 'x' },
  },
  { method: 'PATCH', path: '/api/public/v1/organizations/1', body: { name: 'x' } },
  { method: 'DELETE', path: '/api/public/v1/organizations/1/members/1' },
  { method: 'GET', path: '/api/public/v1/teams' },
  { method: 'POST', path: '/api/public/v1/teams', body: { organizationId: '1', name: 'x' } },
  { method: 'DELETE', path: '/api/public/v1/teams/1' },
  { method: 'POST', path: '/api/public/v1/projects', body: { teamId: '1', name: 'x' } },
  { method: 'PATCH', path: '/api/public/v1/projects/1', body: { name: 'x' } },
  {
    method: 'GET',
    path: '/api/public/v1/invitations?companyId=00000000-0000-4000-8000-000000000000',
  },
  {
    method: 'POST',
    path: '/api/public/v1/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/accept',
  },
  {
    method: 'POST',
    path: '/api/public/v1/iac/apply',
    body: { apiVersion: 'v1', kind: 'Company', metadata: { name: 'x' } },
  },
  {
    method: 'GET',
    path: '/api/public/v1/iac/export?companyID=00000000-0000-4000-8000-000000000000',
  },
  { method: 'GET', path: '/api/public/v1/iac/Team/x?organizationID=1' },
  // Tokens, keys and certificates (issue #5).
  { method: 'GET', path: '/api/public/v1/auth/tokens' },
  { method: 'POST', path: '/api/public/v1/auth/tokens', body: { name: 'sec' } },
  { method: 'DELETE', path: '/api/public/v1/auth/tokens/00000000-0000-4000-8000-000000000000' },
  { method: 'POST', path: '/api/public/v1/auth/cli-logout' },
  { method: 'POST', path: '/api/public/v1/auth/tokens/rotate' },
  { method: 'GET', path: '/api/v1/admin/keys', minRole: 'admin' },
  { method: 'POST', path: '/api/v1/admin/keys/rotate', minRole: 'admin' },
  {
    method: 'GET',
    path: '/api/public/v1/companies/00000000-0000-4000-8000-000000000000/certificates',
  },
  {
    method: 'POST',
    path: '/api/public/v1/companies/00000000-0000-4000-8000-000000000000/certificates',
    body: { name: 'sec', publicKey: 'x' },
  },
  {
    method: 'DELETE',
    path: '/api/public/v1/companies/00000000-0000-4000-8000-000000000000/certificates/00000000-0000-4000-8000-000000000000',
  },
  // Code generation (issue #6).
  {
    method: 'POST',
    path: '/api/public/v1/graph/codegen',
    body: {
      input: {
        modelProvider: 'builtin',
        modelName: 'x',
        graph: { nodes: [{ id: 'a', type: 'service' }], edges: [] },
      },
      companyId: '00000000-0000-4000-8000-000000000000',
      project: { name: 'sec' },
    },
  },
  {
    method: 'POST',
    path: '/api/public/v1/graph/plan',
    body: {
      input: {
        modelProvider: 'builtin',
        modelName: 'x',
        graph: { nodes: [{ id: 'a', type: 'service' }], edges: [] },
      },
      companyId: '00000000-0000-4000-8000-000000000000',
      project: { name: 'sec' },
    },
  },
  { method: 'GET', path: '/api/public/v1/graph/codegen?projectId=1' },
  { method: 'GET', path: '/api/public/v1/graph/codegen/00000000-0000-4000-8000-000000000000' },
  {
    method: 'GET',
    path: '/api/public/v1/graph/codegen/00000000-0000-4000-8000-000000000000/result',
  },
  { method: 'DELETE', path: '/api/public/v1/graph/codegen/00000000-0000-4000-8000-000000000000' },
  {
    method: 'POST',
    path: '/api/public/v1/graph/codegen/00000000-0000-4000-8000-000000000000/ticket',
  },
  { method: 'GET', path: '/api/public/v1/companies/00000000-0000-4000-8000-000000000000/ledger' },
];
