import { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../config';
import type { AppEnv } from '../http/app-env';
import { validationHook } from '../http/validation';
import type { Services } from '../services';

export interface RouteDeps {
  services: Services;
  config: Config;
}

/** Every router validates with the same hook, so every 400 has the same shape. */
export function router() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
