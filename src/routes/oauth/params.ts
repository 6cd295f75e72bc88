import type { Context } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { OAuthError } from '../../services/tokens/oauth-error';

const FORM = /^application\/x-www-form-urlencoded\b/i;
const JSON_TYPE = /^application\/json\b/i;

/**
 * Parameters of an OAuth endpoint: form-encoded per RFC 6749 §3.2, or JSON for convenience.
 * Empty values count as absent, a repeated parameter is an invalid_request (RFC 6749 §3.1).
 */
export async function readOAuthParams(
  c: Context<AppEnv>,
): Promise<Record<string, string | undefined>> {
  const type = c.req.header('content-type') ?? '';
  const out: Record<string, string | undefined> = {};
  if (FORM.test(type)) {
    const text = await c.req.text();
    const form = new URLSearchParams(text);
    for (const key of new Set(form.keys())) {
      const values = form.getAll(key);
      if (values.length > 1) throw new OAuthError('invalid_request', `Repeated parameter: ${key}`);
      if (values[0]) out[key] = values[0];
    }
    return out;
  }
  if (JSON_TYPE.test(type)) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new OAuthError('invalid_request', 'Body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new OAuthError('invalid_request', 'Body must be a JSON object');
    }
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === 'string' && value !== '') out[key] = value;
      else if (value !== undefined && value !== null && value !== '') {
        throw new OAuthError('invalid_request', `Parameter ${key} must be a string`);
      }
    }
    return out;
  }
  throw new OAuthError(
    'invalid_request',
    'Send application/x-www-form-urlencoded (or application/json)',
  );
}

/** RFC 6749 §5.2 error body; never cached. */
export function oauthErrorResponse(c: Context<AppEnv>, err: OAuthError) {
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
  return c.json({ error: err.error, error_description: err.description }, err.status as 400);
}

/** Runs an OAuth endpoint: OAuthErrors become RFC bodies, anything else the usual envelope. */
export async function oauthEndpoint(
  c: Context<AppEnv>,
  work: (params: Record<string, string | undefined>) => Promise<Response>,
) {
  try {
    return await work(await readOAuthParams(c));
  } catch (err) {
    if (err instanceof OAuthError) return oauthErrorResponse(c, err);
    throw err;
  }
}
