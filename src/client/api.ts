import { parseAllDocuments } from 'yaml';
import { isWellFormedPersonalAccessToken } from '../services/tokens/pat-format';
import { authFilePath, loadAuth, removeAuth, type StoredUser, saveAuth } from './auth-store';
import { ClientError, EXIT, NotAuthenticatedError } from './errors';
import { apiRequest, CLI_CLIENT_ID, type ClientOptions, errorFrom, send } from './http';

/** Typed calls of the Kubegram API used by the CLI (and anyone scripting against it). */

export interface ApiUser extends StoredUser {
  avatar: string | null;
  teamId: string | null;
}

export interface PersonalAccessToken {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface Page<T> {
  data: T[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
}

const authFile = (o: ClientOptions) => o.authFile ?? authFilePath();

/**
 * Email + password → a new personal access token, stored. With two-factor authentication on,
 * the server answers MFA_REQUIRED (a ClientError with that code) until `mfaCode` comes along.
 */
export async function loginApi(
  options: ClientOptions,
  email: string,
  password: string,
  mfaCode?: string,
) {
  const result = await apiRequest<{ token: string; expiresAt?: string; user: ApiUser }>(
    options,
    '/api/public/v1/auth/cli-login',
    {
      method: 'POST',
      body: { email, password, name: 'kubegram CLI', ...(mfaCode ? { mfaCode } : {}) },
      auth: false,
    },
  );
  const expiresAt = result.expiresAt ? Date.parse(result.expiresAt) : undefined;
  saveAuth(
    {
      apiUrl: options.apiUrl,
      type: 'pat',
      token: result.token,
      user: result.user,
      ...(expiresAt ? { renewal: { issuedAt: Date.now(), expiresAt } } : {}),
    },
    authFile(options),
  );
  return result.user;
}

/**
 * Stores an existing PAT after checking it works. Something that is not shaped like one (a
 * typo, a truncated paste, another service's token) is refused before any request.
 */
export async function loginWithToken(options: ClientOptions, token: string) {
  if (!isWellFormedPersonalAccessToken(token)) {
    throw new NotAuthenticatedError(
      'That is not a Kubegram token: a personal access token looks like kgm_ followed by 38 letters and digits.',
    );
  }
  saveAuth({ apiUrl: options.apiUrl, type: 'pat', token }, authFile(options));
  try {
    const user = await getCurrentUser(options);
    saveAuth({ apiUrl: options.apiUrl, type: 'pat', token, user }, authFile(options));
    return user;
  } catch (err) {
    removeAuth(authFile(options));
    throw err;
  }
}

/** Revokes the stored credential server-side, then forgets it locally. */
export async function logoutApi(options: ClientOptions): Promise<{ revoked: boolean }> {
  const stored = loadAuth(authFile(options));
  if (!stored) return { revoked: false };
  try {
    await apiRequest({ ...options, apiUrl: stored.apiUrl }, '/api/public/v1/auth/cli-logout', {
      method: 'POST',
    });
    return { revoked: true };
  } finally {
    removeAuth(authFile(options));
  }
}

export async function getCurrentUser(options: ClientOptions): Promise<ApiUser> {
  const res = await apiRequest<{ user: ApiUser }>(options, '/api/public/v1/auth/me');
  return res.user;
}

export async function checkBackendHealth(options: ClientOptions) {
  const res = await send(options, `${options.apiUrl}/api/public/v1/healthz/ready`, {});
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { ok: res.ok, status: res.status, body };
}

// ── device login (RFC 8628) ──────────────────────────────────────────────

export interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

export async function startDeviceLogin(options: ClientOptions): Promise<DeviceStart> {
  const res = await send(options, `${options.apiUrl}/oauth/device/code`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLI_CLIENT_ID }),
  });
  if (!res.ok) throw await errorFrom(res);
  return (await res.json()) as DeviceStart;
}

/** Polls until the user answers; honours slow_down; stores the tokens on success. */
export async function completeDeviceLogin(
  options: ClientOptions,
  started: DeviceStart,
  sleep: (ms: number) => Promise<void> = (ms) => Bun.sleep(ms),
) {
  let interval = started.interval;
  const deadline = Date.now() + started.expires_in * 1000;
  while (Date.now() < deadline) {
    await sleep(interval * 1000);
    const res = await send(options, `${options.apiUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: started.device_code,
        client_id: CLI_CLIENT_ID,
      }),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.ok) {
      const now = Date.now();
      const loginSeconds = body.refresh_token_expires_in;
      saveAuth(
        {
          apiUrl: options.apiUrl,
          type: 'oauth',
          token: body.access_token as string,
          refreshToken: body.refresh_token as string,
          expiresAt: now + (body.expires_in as number) * 1000,
          ...(typeof loginSeconds === 'number'
            ? { renewal: { issuedAt: now, expiresAt: now + loginSeconds * 1000 } }
            : {}),
        },
        authFile(options),
      );
      const user = await getCurrentUser(options);
      const stored = loadAuth(authFile(options));
      if (stored) saveAuth({ ...stored, user }, authFile(options));
      return user;
    }
    if (body.error === 'authorization_pending') continue;
    if (body.error === 'slow_down') {
      interval += 5;
      continue;
    }
    if (body.error === 'access_denied') {
      throw new ClientError('Login was denied in the browser.', EXIT.unauthenticated);
    }
    if (body.error === 'expired_token') break;
    throw new ClientError(
      `Login failed: ${(body.error_description as string) ?? body.error ?? res.status}`,
    );
  }
  throw new ClientError(
    'The login code expired before it was approved. Try again.',
    EXIT.unauthenticated,
  );
}

// ── tokens ───────────────────────────────────────────────────────────────

export async function listTokens(options: ClientOptions) {
  return (await apiRequest<{ data: PersonalAccessToken[] }>(options, '/api/public/v1/auth/tokens'))
    .data;
}

export async function createToken(
  options: ClientOptions,
  input: { name: string; scopes?: string[]; expiresInDays?: number },
) {
  return (
    await apiRequest<{ data: PersonalAccessToken & { token: string } }>(
      options,
      '/api/public/v1/auth/tokens',
      { method: 'POST', body: input },
    )
  ).data;
}

export async function revokeToken(options: ClientOptions, id: string) {
  await apiRequest(options, `/api/public/v1/auth/tokens/${encodeURIComponent(id)}`, {
    method: 'DELETE',
  });
}

// ── resources ────────────────────────────────────────────────────────────

export const RESOURCES = ['companies', 'organizations', 'teams', 'projects'] as const;
export type ResourceKind = (typeof RESOURCES)[number];

/** Every page of a list endpoint. */
export async function listResources(options: ClientOptions, kind: ResourceKind) {
  const all: Record<string, unknown>[] = [];
  for (let page = 1; ; page++) {
    const res = await apiRequest<Page<Record<string, unknown>>>(options, `/api/public/v1/${kind}`, {
      query: { page, limit: 100 },
    });
    all.push(...res.data);
    if (page >= res.pagination.totalPages || res.data.length === 0) return all;
  }
}

/** One object of a list endpoint by id (organizations also by slug). */
export async function getResource(options: ClientOptions, kind: ResourceKind, id: string) {
  const path = `/api/public/v1/${kind}/${encodeURIComponent(id)}`;
  return (await apiRequest<{ data: Record<string, unknown> }>(options, path)).data;
}

export interface ApplyResult {
  dryRun: boolean;
  results: Array<{ index: number; kind: string; name: string; id: string; action: string }>;
}

/** Kubernetes-style manifests through POST /iac/apply: one transaction for the whole file. */
export async function applyManifests(options: ClientOptions, yamlText: string, dryRun = false) {
  const res = await apiRequest<{ data: ApplyResult }>(options, '/api/public/v1/iac/apply', {
    method: 'POST',
    rawBody: { text: yamlText, contentType: 'application/yaml' },
    query: { dryRun: dryRun ? 'true' : undefined },
  });
  return res.data;
}

const PARENT_REFS = ['companyID', 'company', 'organizationID', 'organization', 'teamID', 'team'];

/**
 * `delete -f`: every document of the file through DELETE /iac/{kind}/{name}, children first
 * (documents are deleted in reverse order). Objects already gone are reported, not fatal.
 */
export async function deleteManifests(options: ClientOptions, yamlText: string) {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(yamlText).map((d) => {
      if (d.errors.length > 0) throw new Error(d.errors[0]!.message);
      return d.toJSON();
    });
  } catch (err) {
    throw new ClientError(`The file is not valid YAML: ${(err as Error).message}`, EXIT.usage);
  }
  const outcomes: Array<{ kind: string; name: string; result: 'deleted' | 'not found' }> = [];
  for (const doc of docs.filter(Boolean).reverse()) {
    const d = doc as {
      kind?: unknown;
      metadata?: { name?: unknown };
      spec?: Record<string, unknown>;
    };
    if (typeof d.kind !== 'string' || typeof d.metadata?.name !== 'string') {
      throw new ClientError('Every document needs kind and metadata.name', EXIT.usage);
    }
    const query: Record<string, string> = {};
    for (const ref of PARENT_REFS) {
      const value = d.spec?.[ref];
      if (typeof value === 'string' || typeof value === 'number') query[ref] = String(value);
    }
    const path = `/api/public/v1/iac/${encodeURIComponent(d.kind.toLowerCase())}/${encodeURIComponent(d.metadata.name)}`;
    try {
      await apiRequest(options, path, { method: 'DELETE', query });
      outcomes.push({ kind: d.kind, name: d.metadata.name, result: 'deleted' });
    } catch (err) {
      if (err instanceof ClientError && err.status === 404) {
        outcomes.push({ kind: d.kind, name: d.metadata.name, result: 'not found' });
      } else throw err;
    }
  }
  return outcomes;
}
