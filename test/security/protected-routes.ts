import type { UserRole } from '../../src/db/schema';

/**
 * Every protected route, for the shared security suite (protected-routes.test.ts).
 * Adding an endpoint? Add it here and it gets the no-credentials, bad-token, expired,
 * revoked, disabled and wrong-role checks for free; the suite fails for a route that is
 * neither here nor in PUBLIC_ROUTES (public-routes.ts). `{self}` is replaced by the caller's
 * user id. `minRole` is the weakest platform role that may call it at all.
 */
export interface ProtectedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  minRole?: UserRole;
}

/** A well-formed id that names nothing: credentials are refused before any lookup. */
const UUID = '00000000-0000-4000-8000-000000000000';
const V1 = '/api/public/v1';
const COMPANY = `${V1}/companies/${UUID}`;

/** PATCH and PUT take the same body on every tenancy resource. */
const updates = (path: string, body: unknown): ProtectedRoute[] =>
  (['PATCH', 'PUT'] as const).map((method) => ({ method, path, body }));

/** Companies, organizations and teams share one set of member routes. */
const members = (parent: string): ProtectedRoute[] => [
  { method: 'GET', path: `${parent}/members` },
  { method: 'POST', path: `${parent}/members`, body: { userId: '1' } },
  { method: 'PATCH', path: `${parent}/members/1`, body: { role: 'member' } },
  { method: 'DELETE', path: `${parent}/members/1` },
];

const codegenRequest = {
  input: {
    modelProvider: 'builtin',
    modelName: 'x',
    graph: { nodes: [{ id: 'a', type: 'service' }], edges: [] },
  },
  companyId: UUID,
  project: { name: 'sec' },
};

export const PROTECTED_ROUTES: ProtectedRoute[] = [
  { method: 'GET', path: `${V1}/auth/me` },
  { method: 'POST', path: `${V1}/auth/logout` },
  { method: 'POST', path: `${V1}/auth/password`, body: { currentPassword: 'x', newPassword: 'y' } },
  { method: 'GET', path: `${V1}/auth/mfa` },
  { method: 'POST', path: `${V1}/auth/mfa/totp` },
  { method: 'POST', path: `${V1}/auth/mfa/totp/confirm`, body: { code: '123456' } },
  { method: 'POST', path: `${V1}/auth/mfa/totp/disable`, body: { code: '123456' } },
  { method: 'POST', path: `${V1}/auth/mfa/recovery-codes`, body: { code: '123456' } },
  { method: 'GET', path: `${V1}/auth/sessions` },
  { method: 'DELETE', path: `${V1}/auth/sessions?others=true` },
  { method: 'DELETE', path: `${V1}/auth/sessions/${UUID}` },
  { method: 'GET', path: `${V1}/users`, minRole: 'admin' },
  { method: 'GET', path: `${V1}/users/{self}` },
  { method: 'PATCH', path: `${V1}/users/{self}`, body: { name: 'Changed' } },
  { method: 'DELETE', path: `${V1}/users/{self}`, minRole: 'admin' },
  { method: 'DELETE', path: `${V1}/users/999999/mfa`, minRole: 'admin' },
  { method: 'GET', path: '/api/v1/admin/audit-logs', minRole: 'admin' },
  { method: 'GET', path: '/api/public/v1/healthz/deep', minRole: 'admin' },
  // Sign-in providers (issue #3).
  { method: 'GET', path: `${V1}/auth/identities` },
  { method: 'DELETE', path: `${V1}/auth/identities/999999` },
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
  // Reading companies and projects is optional-auth: see PUBLIC_ROUTES.
  { method: 'POST', path: `${V1}/companies`, body: { name: 'Sec' } },
  ...updates(COMPANY, { name: 'Sec' }),
  { method: 'DELETE', path: COMPANY },
  ...members(COMPANY),
  { method: 'GET', path: `${V1}/organizations` },
  { method: 'GET', path: `${V1}/organizations/1` },
  { method: 'POST', path: `${V1}/organizations`, body: { companyId: UUID, name: 'x' } },
  ...updates(`${V1}/organizations/1`, { name: 'x' }),
  { method: 'DELETE', path: `${V1}/organizations/1` },
  ...members(`${V1}/organizations/1`),
  { method: 'GET', path: `${V1}/teams` },
  { method: 'GET', path: `${V1}/teams/1` },
  { method: 'POST', path: `${V1}/teams`, body: { organizationId: '1', name: 'x' } },
  ...updates(`${V1}/teams/1`, { name: 'x' }),
  { method: 'DELETE', path: `${V1}/teams/1` },
  ...members(`${V1}/teams/1`),
  { method: 'POST', path: `${V1}/projects`, body: { teamId: '1', name: 'x' } },
  ...updates(`${V1}/projects/1`, { name: 'x' }),
  { method: 'DELETE', path: `${V1}/projects/1` },
  { method: 'GET', path: `${V1}/invitations?companyId=${UUID}` },
  { method: 'POST', path: `${V1}/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/accept` },
  { method: 'DELETE', path: `${V1}/invitations/${UUID}` },
  {
    method: 'POST',
    path: `${V1}/iac/apply`,
    body: { apiVersion: 'v1', kind: 'Company', metadata: { name: 'x' } },
  },
  { method: 'GET', path: `${V1}/iac/export?companyID=${UUID}` },
  { method: 'GET', path: `${V1}/iac/Team/x?organizationID=1` },
  { method: 'DELETE', path: `${V1}/iac/Team/x?organizationID=1` },
  // Tokens, keys and certificates (issue #5).
  { method: 'GET', path: `${V1}/auth/tokens` },
  { method: 'POST', path: `${V1}/auth/tokens`, body: { name: 'sec' } },
  { method: 'DELETE', path: `${V1}/auth/tokens/${UUID}` },
  { method: 'POST', path: `${V1}/auth/cli-logout` },
  { method: 'POST', path: `${V1}/auth/tokens/rotate` },
  { method: 'GET', path: '/api/v1/admin/keys', minRole: 'admin' },
  { method: 'POST', path: '/api/v1/admin/keys/rotate', minRole: 'admin' },
  { method: 'GET', path: `${COMPANY}/certificates` },
  { method: 'POST', path: `${COMPANY}/certificates`, body: { name: 'sec', publicKey: 'x' } },
  { method: 'DELETE', path: `${COMPANY}/certificates/${UUID}` },
  // Code generation (issue #6).
  { method: 'POST', path: `${V1}/graph/codegen`, body: codegenRequest },
  { method: 'POST', path: `${V1}/graph/plan`, body: codegenRequest },
  { method: 'GET', path: `${V1}/graph/codegen?projectId=1` },
  { method: 'GET', path: `${V1}/graph/codegen/${UUID}` },
  { method: 'GET', path: `${V1}/graph/codegen/${UUID}/result` },
  { method: 'DELETE', path: `${V1}/graph/codegen/${UUID}` },
  { method: 'POST', path: `${V1}/graph/codegen/${UUID}/ticket` },
  // Without the upgrade header the socket route answers 426 before it looks at credentials.
  {
    method: 'GET',
    path: `${V1}/graph/codegen/${UUID}/subscribe`,
    headers: { upgrade: 'websocket' },
  },
  { method: 'GET', path: `${COMPANY}/ledger` },
];
