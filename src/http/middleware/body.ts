import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env';
import { errorResponse } from '../errors';

/** 413 before the body is read: Content-Length is checked up front, chunked bodies as they stream. */
export function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: (c) => errorResponse(c, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${maxSize} bytes`),
  });
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Manifests (IaC) may also arrive as YAML (API.md). */
const YAML_PATHS = /^\/api\/public\/v1\/iac\//;
const YAML_TYPE = /^(application|text)\/(x-)?yaml\b/i;

/** A body in any type the route does not read is a 415, not a confusing validation error. */
export function requireContentType(
  allowed: RegExp = /^application\/json\b/i,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (BODY_METHODS.has(c.req.method)) {
      const length = c.req.header('content-length');
      const hasBody = length !== undefined ? length !== '0' : c.req.raw.body !== null;
      const type = c.req.header('content-type') ?? '';
      const yamlOk = YAML_TYPE.test(type) && YAML_PATHS.test(c.req.path);
      if (hasBody && !allowed.test(type) && !yamlOk) {
        return errorResponse(
          c,
          'UNSUPPORTED_MEDIA_TYPE',
          `Unsupported content type: ${type.slice(0, 100) || 'none'}`,
        );
      }
    }
    await next();
  };
}
