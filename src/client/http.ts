import { authFilePath, loadAuth, type StoredAuth, saveAuth } from './auth-store';
import { ClientError, EXIT, NotAuthenticatedError, UnreachableError } from './errors';

export const CLI_CLIENT_ID = 'kubegram-cli';
/** Refresh this long before the access token would expire. */
const REFRESH_MARGIN_MS = 30_000;

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
  query?: Record<string, string | number | undefined>;
}

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
  const exit = res.status === 401 ? EXIT.unauthenticated : EXIT.error;
  return new ClientError(message, exit, res.status, code, body.details);
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
  saveAuth(next, options.authFile ?? authFilePath());
  return next;
}

/** The bearer to send: stored PAT, or an access token refreshed first when about to expire. */
export async function getAuthToken(options: ClientOptions): Promise<string> {
  const auth = loadAuth(options.authFile ?? authFilePath());
  if (!auth) throw new NotAuthenticatedError();
  if (auth.type === 'oauth' && auth.expiresAt - REFRESH_MARGIN_MS <= Date.now()) {
    return (await refreshStoredAuth({ ...options, apiUrl: auth.apiUrl }, auth)).token;
  }
  return auth.token;
}

/**
 * One API call: JSON in and out, credentials attached, one transparent refresh-and-retry when an
 * access token turns out to be expired, errors turned into ClientError with an exit code.
 */
export async function apiRequest<T = unknown>(
  options: ClientOptions,
  path: string,
  request: RequestOptions = {},
): Promise<T> {
  const url = new URL(path, `${options.apiUrl.replace(/\/$/, '')}/`);
  for (const [k, v] of Object.entries(request.query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  const attempt = async (token?: string) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (request.rawBody) {
      headers['content-type'] = request.rawBody.contentType;
      body = request.rawBody.text;
    } else if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    if (token) headers.authorization = `Bearer ${token}`;
    return send(options, url.toString(), { method: request.method ?? 'GET', headers, body });
  };
  const useAuth = request.auth !== false;
  let res = await attempt(useAuth ? await getAuthToken(options) : undefined);
  if (res.status === 401 && useAuth) {
    const stored = loadAuth(options.authFile ?? authFilePath());
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
