import type { Context } from 'hono';
import type { RequestMeta } from '../services/audit/audit-service';
import type { AppEnv } from './app-env';

/** Where a request came from, for audit rows and session records. */
export function requestMeta(c: Context<AppEnv>): RequestMeta {
  return { ip: c.get('ip'), userAgent: c.req.header('user-agent') };
}
