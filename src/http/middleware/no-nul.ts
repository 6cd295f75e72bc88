import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { errorResponse } from '../errors';

/**
 * PostgreSQL cannot store U+0000 in text or JSONB: a NUL in a name, a filter or a graph
 * would surface as a database error (500). Refused up front as a 400 instead, for the URL
 * and for JSON bodies (YAML manifests are checked after parsing, in services/iac/parse.ts).
 */
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/i;

function urlHasNul(url: string): boolean {
  try {
    return decodeURIComponent(url).includes('\u0000');
  } catch {
    return false; // malformed escapes are left to the router (404/400)
  }
}

export const refuseNul: MiddlewareHandler<AppEnv> = async (c, next) => {
  const refuse = (where: string) =>
    errorResponse(c, 'VALIDATION_FAILED', 'NUL characters are not allowed', [
      { path: where, message: 'Must not contain U+0000' },
    ]);
  if (urlHasNul(c.req.url)) return refuse('(url)');
  const type = c.req.header('content-type') ?? '';
  if (c.req.method !== 'GET' && /json/i.test(type)) {
    const text = await c.req.text();
    if (text.includes('\u0000') || ESCAPED_NUL.test(text)) return refuse('(body)');
  }
  await next();
};
