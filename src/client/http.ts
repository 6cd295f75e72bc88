import type { RenewedCredential } from '../services/tokens/cli-logins';
import { authFilePath, loadAuth, type StoredAuth, saveAuth } from './auth-store';
import { ClientError, exitCodeOf, NotAuthenticatedError, UnreachableError } from './errors';

export const CLI_CLIENT_ID = 'kubegram-cli';
/** Refresh this long before the access token would expire. */
const REFRESH_MARGIN_MS = 30_000;
/** Renew a login when less than this share of its lifetime is left… */
const RENEW_FRACTION = 0.1;
/** …or at most this long before its end (a 90-day login renews in its last week). */
const RENEW_AT_MOST_MS = 7 * 86_400_000;
const ROTATE_PATH = '/api/public/v1/auth/tokens/rotate';

export interface ClientOptions {
  apiUrl: string;
  /** Where credentials live; tests point HOME elsewhere instead. */
  authFile?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Raw body with its own content type (YAML manifests). */
  rawBody?: { text: string; contentType: string };
  /** false: send no credential. */
  auth?: boolean;
  /** This credential instead of the stored login (the short session of the mfa commands). */
  bearer?: string;
  query?: Record<string, string | number | undefined>;
  accept?: string;
}

const authFile = (options: ClientOptions) => options.authFile ?? authFilePath();

export async function send(
  options: ClientOptions,
  url: string,
  init: RequestInit,
): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  try {
    return await doFetch(url, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (err) {
    throw new UnreachableError(options.apiUrl, err);
  }
}

async function errorFrom(res: Response): Promise<ClientError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {}
  const message =
    (typeof body.error_description === 'string' && body.error_description) ||
    (typeof body.error === 'string' && body.error) ||
    `Request failed with HTTP ${res.status}`;
  const code = (body.code as string | undefined) ?? (body.error as string | undefined);
  return new ClientError(message, exitCodeOf(res.status), res.status, code, body.details);
}

/** RFC 6749 refresh; the new pair replaces the stored one. */
export async function refreshStoredAuth(
  options: ClientOptions,
  auth: Extract<StoredAuth, { type: 'oauth' }>,
): Promise<StoredAuth> {
  const res = await send(options, `${auth.apiUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: auth.refreshToken,
      client_id: CLI_CLIENT_ID,
    }),
  });
  if (!res.ok) {
    throw new NotAuthenticatedError('Your login has expired. Run `kubegram login` again.');
  }
  const tokens = (await res.json()) as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
  };
  const next: StoredAuth = {
    ...auth,
    token: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: Date.now() + tokens.expires_in * 1000,
  };
  saveAuth(next, authFile(options));
  return next;
}

/** True when the login ends soon enough that the CLI should trade it for a fresh one. */
export function dueForRenewal(auth: StoredAuth, now = Date.now()): boolean {
  if (!auth.renewal) return false;
  const { issuedAt, expiresAt } = auth.renewal;
  const margin = Math.min((expiresAt - issuedAt) * RENEW_FRACTION, RENEW_AT_MOST_MS);
  return expiresAt - now <= margin;
}

/**
 * POST /auth/tokens/rotate with the stored credential; the fresh one replaces it in the store
 * (the server revoked the old one). A renewal that fails for another reason than a dead
 * credential leaves the login as it is: it still works until it ends, and the next command
 * tries again.
 */
export async function renewStoredAuth(options: ClientOptions, auth: StoredAuth) {
  const res = await send(options, `${auth.apiUrl}${ROTATE_PATH}`, {
    method: 'POST',
    headers: { accept: 'application/json', authorization: `Bearer ${auth.token}` },
  });
  if (res.status === 401) {
    // Another kubegram process may have renewed it a moment ago.
    const stored = loadAuth(authFile(options));
    if (stored && stored.token !== auth.token) return stored;
    throw new NotAuthenticatedError('Your login has expired. Run `kubegram login` again.');
  }
  if (!res.ok) return auth;
  const { data } = (await res.json()) as { data: RenewedCredential };
  const now = Date.now();
  let next: StoredAuth;
  if (data.kind === 'pat') {
    const expiresAt = data.expiresAt ? Date.parse(data.expiresAt) : undefined;
    next = {
      apiUrl: auth.apiUrl,
      type: 'pat',
      token: data.token,
      user: auth.user,
      ...(expiresAt ? { renewal: { issuedAt: now, expiresAt } } : {}),
    };
  } else {
    next = {
      apiUrl: auth.apiUrl,
      type: 'oauth',
      token: data.accessToken,
      refreshToken: data.refreshToken,
      expiresAt: now + data.accessTokenExpiresIn * 1000,
      user: auth.user,
      renewal: { issuedAt: now, expiresAt: Date.parse(data.expiresAt) },
    };
  }
  saveAuth(next, authFile(options));
  return next;
}

/**
 * The bearer to send: the stored PAT or access token, refreshed first when the access token is
 * about to expire, and renewed when the login itself nears its end.
 */
export async function getAuthToken(options: ClientOptions): Promise<string> {
  let auth = loadAuth(authFile(options));
  if (!auth) throw new NotAuthenticatedError();
  const scoped = { ...options, apiUrl: auth.apiUrl };
  if (auth.type === 'oauth' && auth.expiresAt - REFRESH_MARGIN_MS <= Date.now()) {
    auth = await refreshStoredAuth(scoped, auth);
  }
  if (dueForRenewal(auth)) auth = await renewStoredAuth(scoped, auth);
  return auth.token;
}

function headersFor(request: RequestOptions, token: string | undefined) {
  const headers: Record<string, string> = { accept: request.accept ?? 'application/json' };
  let body: string | undefined;
  if (request.rawBody) {
    headers['content-type'] = request.rawBody.contentType;
    body = request.rawBody.text;
  } else if (request.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.body);
  }
  if (token) headers.authorization = `Bearer ${token}`;
  return { headers, body };
}

/**
 * One API call with credentials attached and one transparent refresh-and-retry when an access
 * token turns out to be expired; the raw response (checked for success) for callers that need
 * headers or bytes.
 */
export async function apiResponse(
  options: ClientOptions,
  path: string,
  request: RequestOptions = {},
): Promise<Response> {
  const url = new URL(path, `${options.apiUrl.replace(/\/$/, '')}/`);
  for (const [k, v] of Object.entries(request.query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  const attempt = (token?: string) => {
    const { headers, body } = headersFor(request, token);
    return send(options, url.toString(), { method: request.method ?? 'GET', headers, body });
  };
  if (request.bearer !== undefined || request.auth === false) {
    const res = await attempt(request.bearer);
    if (!res.ok) throw await errorFrom(res);
    return res;
  }
  let res = await attempt(await getAuthToken(options));
  if (res.status === 401) {
    const stored = loadAuth(authFile(options));
    if (stored?.type === 'oauth') {
      const refreshed = await refreshStoredAuth({ ...options, apiUrl: stored.apiUrl }, stored);
      res = await attempt(refreshed.token);
    }
    if (res.status === 401) {
      throw new NotAuthenticatedError(
        'The server refused your credentials (expired or revoked). Run `kubegram login`.',
      );
    }
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

/** One API call: JSON in and out, errors turned into ClientError with an exit code. */
export async function apiRequest<T = unknown>(
  options: ClientOptions,
  path: string,
  request: RequestOptions = {},
): Promise<T> {
  const res = await apiResponse(options, path, request);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

export { errorFrom };
