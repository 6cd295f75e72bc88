/** Exit codes of the CLI, also carried by client errors so callers can map them. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  unauthenticated: 3,
  unreachable: 4,
} as const;

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
