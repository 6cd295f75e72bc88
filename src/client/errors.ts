/** Exit codes of the CLI, also carried by client errors so callers can map them. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  unauthenticated: 3,
  unreachable: 4,
  notFound: 5,
  forbidden: 6,
} as const;

/** One line per exit code, for `kubegram --help` (the README repeats it). */
export const EXIT_CODE_HELP = [
  '0  ok',
  '1  error (the message is on stderr; a job that failed or was cancelled)',
  '2  usage: unknown command or flag, missing argument, unreadable input',
  '3  not logged in, or the credential expired or was revoked',
  '4  server unreachable',
  '5  not found (or not visible to you)',
  '6  forbidden: your role or token may not do this',
];

/** The exit code an HTTP error status maps to. */
export function exitCodeOf(status: number): number {
  if (status === 401) return EXIT.unauthenticated;
  if (status === 403) return EXIT.forbidden;
  if (status === 404) return EXIT.notFound;
  return EXIT.error;
}

export class ClientError extends Error {
  constructor(
    message: string,
    public readonly exitCode: number = EXIT.error,
    public readonly status?: number,
    public readonly code?: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export class NotAuthenticatedError extends ClientError {
  constructor(message = 'Not logged in. Run `kubegram login` first.') {
    super(message, EXIT.unauthenticated, 401, 'UNAUTHENTICATED');
  }
}

export class UnreachableError extends ClientError {
  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Cannot reach the Kubegram server at ${url} (${reason})`, EXIT.unreachable);
  }
}
