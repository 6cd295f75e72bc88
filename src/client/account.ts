import { ClientError, EXIT } from './errors';
import { apiRequest, apiResponse, type ClientOptions } from './http';

/** The signed-in user's own sign-ins (sessions, device logins) and second factor. */

const AUTH = '/api/public/v1/auth';

export interface SignIn {
  id: string;
  kind: 'session' | 'cli';
  client: string | null;
  provider: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export async function listSessions(options: ClientOptions) {
  return (await apiRequest<{ data: SignIn[] }>(options, `${AUTH}/sessions`)).data;
}

/** A browser session or a device login: either ends everywhere. */
export async function revokeSession(options: ClientOptions, id: string) {
  await apiRequest(options, `${AUTH}/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Both cookie names the server uses (`__Host-` in production). */
const SESSION_COOKIE = /(?:^|[\s,;])(?:__Host-)?kubegram_session=([^;,\s]+)/;

/**
 * A short browser-style session from email + password (+ code), for what the server allows
 * only from a signed-in session, never from an API token: managing the second factor. The
 * caller ends it with `endPasswordSession` when done.
 */
export async function startPasswordSession(
  options: ClientOptions,
  email: string,
  password: string,
  mfaCode?: string,
): Promise<string> {
  const res = await apiResponse(options, `${AUTH}/login`, {
    method: 'POST',
    auth: false,
    body: { email, password, ...(mfaCode ? { mfaCode } : {}) },
  });
  const cookies = res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? ''];
  for (const cookie of cookies) {
    const token = SESSION_COOKIE.exec(cookie)?.[1];
    if (token) return token;
  }
  throw new ClientError('The server did not open a session', EXIT.error);
}

export async function endPasswordSession(options: ClientOptions, session: string) {
  await apiRequest(options, `${AUTH}/logout`, { method: 'POST', bearer: session }).catch(
    () => undefined,
  );
}

export interface MfaStatus {
  totp: 'disabled' | 'pending' | 'enabled';
  enabledAt: string | null;
  recoveryCodesLeft: number;
}

const mfa = <T>(options: ClientOptions, session: string, path: string, body?: { code: string }) =>
  apiRequest<{ data: T }>(options, `${AUTH}/mfa${path}`, {
    method: body || path ? 'POST' : 'GET',
    bearer: session,
    body,
  }).then((r) => r.data);

export const mfaStatus = (o: ClientOptions, session: string) => mfa<MfaStatus>(o, session, '');
export const beginTotp = (o: ClientOptions, session: string) =>
  mfa<{ secret: string; otpauthUri: string }>(o, session, '/totp');
export const confirmTotp = (o: ClientOptions, session: string, code: string) =>
  mfa<{ recoveryCodes: string[] }>(o, session, '/totp/confirm', { code });
export const disableTotp = (o: ClientOptions, session: string, code: string) =>
  mfa<{ totp: 'disabled' }>(o, session, '/totp/disable', { code });
export const regenerateRecoveryCodes = (o: ClientOptions, session: string, code: string) =>
  mfa<{ recoveryCodes: string[] }>(o, session, '/recovery-codes', { code });
