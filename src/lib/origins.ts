import type { Config } from '../config';

const LOCALHOST_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** Origins trusted for CORS, CSRF and redirects: the configured ones, plus localhost in development. */
export function isAllowedOrigin(origin: string, config: Config): boolean {
  if (config.allowedOrigins.includes(origin)) return true;
  return config.allowLocalhostOrigins && LOCALHOST_ORIGIN.test(origin);
}
