/**
 * The one place that reads database errors: the SQLSTATE of a failed statement, and whether
 * a failure means "the database cannot be reached right now" (answered 503 with Retry-After)
 * rather than a fault of the request or of our code. Drizzle wraps driver errors (`cause`),
 * Bun.SQL puts the SQLSTATE in `errno` and its own code in `code`, PGlite puts the SQLSTATE in
 * `code`; all three shapes are read here.
 */

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  cause?: unknown;
  message?: unknown;
}

/** PostgreSQL's SQLSTATE classes; keeps 5-letter socket codes such as EPIPE out. */
const SQLSTATE = /^(\d[0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/;
const MAX_DEPTH = 5;

function* chain(err: unknown): Generator<ErrorLike> {
  let e = err;
  for (let depth = 0; depth < MAX_DEPTH && e && typeof e === 'object'; depth++) {
    yield e as ErrorLike;
    e = (e as ErrorLike).cause;
  }
}

/** The SQLSTATE PostgreSQL reported for this error (e.g. `23505`), if it came from the server. */
export function sqlStateOf(err: unknown): string | undefined {
  for (const e of chain(err)) {
    for (const value of [e.errno, e.code]) {
      if (typeof value === 'string' && SQLSTATE.test(value)) return value;
    }
  }
  return undefined;
}

/** Client-side codes (Bun.SQL, Node sockets, the `postgres` package) for a lost or refused link. */
const CONNECTION_CODES = new Set([
  'ERR_POSTGRES_CONNECTION_CLOSED',
  'ERR_POSTGRES_CONNECTION_FAILED',
  'ERR_POSTGRES_CONNECTION_REFUSED',
  'ERR_POSTGRES_CONNECTION_TIMEOUT',
  'ERR_POSTGRES_IDLE_TIMEOUT',
  'ERR_POSTGRES_LIFETIME_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * Server states that pass: 57P01 admin_shutdown (pg_terminate_backend, a fast shutdown),
 * 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down, in recovery),
 * 53300 too_many_connections, 53100 disk_full, 25006 read_only_sql_transaction (a standby
 * reached before a failover completed); class 08 is "connection exception".
 */
const TRANSIENT_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53100', '25006']);

/** PGlite after close(), or a handle closed under a request during shutdown. */
const CLOSED_MESSAGE = /^(database closed|PGlite is closed)/i;

/** True when the error says the database is unreachable, restarting or dropped the connection. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const state = sqlStateOf(err);
  if (state) return state.startsWith('08') || TRANSIENT_STATES.has(state);
  for (const e of chain(err)) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && CLOSED_MESSAGE.test(e.message)) return true;
  }
  return false;
}
