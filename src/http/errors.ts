import { z } from '@hono/zod-openapi';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDatabaseUnavailable, sqlStateOf } from '../db/errors';
import { AppError, type ErrorCode, STATUS_BY_CODE } from '../lib/errors';
import type { AppEnv } from './app-env';

/** The error envelope of API.md. Never carries a stack, SQL or a secret. */
export function errorResponse(
  c: Context,
  code: ErrorCode,
  message: string,
  details?: unknown,
  status: number = STATUS_BY_CODE[code],
) {
  const body: Record<string, unknown> = {
    error: message,
    code,
    timestamp: new Date().toISOString(),
    requestId: c.get('requestId'),
  };
  if (details !== undefined) body.details = details;
  return c.json(body, status as ContentfulStatusCode);
}

/** Reconnecting takes well under a second once PostgreSQL is back. */
const DATABASE_RETRY_AFTER_SECONDS = '1';

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (!(err instanceof AppError) && isDatabaseUnavailable(err)) {
    // A dependency being down is not a bug of ours: 503, and the cause without SQL or stack.
    const { code, errno } = err as { code?: unknown; errno?: unknown };
    c.get('logger')?.warn({ code, errno }, 'database unavailable');
    c.header('Retry-After', DATABASE_RETRY_AFTER_SECONDS);
    return errorResponse(
      c,
      'SERVICE_UNAVAILABLE',
      'The database is unavailable, try again shortly',
    );
  }
  if (err instanceof AppError) {
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
    return errorResponse(c, err.code, err.message, err.details, err.status);
  }
  if (err instanceof HTTPException) {
    if (err.status === 413) return errorResponse(c, 'PAYLOAD_TOO_LARGE', 'Request body too large');
    if (err.status === 400 && /json/i.test(err.message)) {
      return errorResponse(c, 'INVALID_JSON', 'Request body is not valid JSON');
    }
    if (err.status === 401) return errorResponse(c, 'UNAUTHENTICATED', 'Authentication required');
    if (err.status < 500) {
      const code: ErrorCode = err.status === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED';
      return errorResponse(c, code, err.message || 'Bad request', undefined, err.status);
    }
  }
  const unstorable = unstorableInputCode(err);
  if (unstorable) {
    // A safety net only: validation (http/validation.ts) refuses such input before any query,
    // so reaching this is a gap in it, logged (without the values) to be closed.
    c.get('logger')?.warn(
      { code: unstorable, route: `${c.req.method} ${c.req.routePath}` },
      'unstorable input reached the database',
    );
    return errorResponse(
      c,
      'VALIDATION_FAILED',
      'The request contains characters that cannot be stored (such as U+0000)',
    );
  }
  c.get('logger')?.error({ err }, 'unhandled error');
  return errorResponse(c, 'INTERNAL', 'Internal server error');
};

/**
 * PostgreSQL refuses NUL characters in text (22021) and in JSONB (22P05). Such values are the
 * client's input, so a 400, not a 500, should one ever get past validation.
 */
const UNSTORABLE_INPUT_CODES = new Set(['22021', '22P05']);

function unstorableInputCode(err: unknown): string | undefined {
  const code = sqlStateOf(err);
  return code && UNSTORABLE_INPUT_CODES.has(code) ? code : undefined;
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, 'NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`);

export const errorSchema = z
  .object({
    error: z.string(),
    code: z.string(),
    timestamp: z.string(),
    requestId: z.string().optional(),
    details: z.unknown().optional(),
  })
  .openapi('Error');

const DESCRIPTIONS: Partial<Record<number, string>> = {
  400: 'Invalid request (VALIDATION_FAILED, INVALID_JSON)',
  401: 'Missing or invalid credentials',
  402: 'Company token balance too low',
  403: 'Not allowed',
  404: 'Not found (also for resources of other tenants)',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Unsupported content type',
  429: 'Rate limited (see Retry-After)',
  500: 'Internal error',
  503: 'Dependency unavailable',
};

/** OpenAPI `responses` entries for error statuses, from the same table the handler uses. */
export function errorResponses(...statuses: number[]) {
  const out: Record<
    number,
    { description: string; content: { 'application/json': { schema: typeof errorSchema } } }
  > = {};
  // Any route may meet an unreachable database (503 SERVICE_UNAVAILABLE).
  for (const status of [400, 429, 500, 503, ...statuses]) {
    out[status] = {
      description: DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/json': { schema: errorSchema } },
    };
  }
  return out;
}
