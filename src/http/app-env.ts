import type { Logger } from 'pino';
import type { AuthContext } from '../services/auth/types';

/** Hono's typing for this app: what middleware puts on the context. */
export interface AppEnv {
  Bindings: { server?: unknown };
  Variables: {
    requestId: string;
    logger: Logger;
    ip: string;
    /** Set by the authenticate middleware when the request carried a valid credential. */
    auth?: AuthContext;
  };
}
