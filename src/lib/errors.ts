/**
 * Typed errors thrown by services. src/http/errors.ts is the one place that maps them to HTTP
 * statuses and the error envelope; the OpenAPI error responses come from the same table.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'INVALID_JSON'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'MFA_REQUIRED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'INSUFFICIENT_TOKENS'
  | 'UPSTREAM_UNAVAILABLE'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  MFA_REQUIRED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INSUFFICIENT_TOKENS: 402,
  UPSTREAM_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: unknown,
    /** Overrides the status of the code, e.g. 502 for an upstream that answered badly. */
    public readonly status: number = STATUS_BY_CODE[code],
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, issues: FieldIssue[] = []) {
    super('VALIDATION_FAILED', message, issues);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required') {
    super('UNAUTHENTICATED', message);
  }
}
export class InvalidCredentialsError extends AppError {
  constructor(message = 'Invalid email or password') {
    super('INVALID_CREDENTIALS', message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super('FORBIDDEN', message);
  }
}
export class NotFoundError extends AppError {
  constructor(what = 'Resource') {
    super('NOT_FOUND', `${what} not found`);
  }
}
export class ConflictError extends AppError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}
export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, message = 'Too many requests, try again later') {
    const retryAfter = String(Math.max(1, Math.ceil(retryAfterSeconds)));
    super('RATE_LIMITED', message, undefined, 429, { 'Retry-After': retryAfter });
  }
}
export class MfaRequiredError extends AppError {
  constructor() {
    super(
      'MFA_REQUIRED',
      'This account uses two-factor authentication: send the code from your authenticator app (or a recovery code) as mfaCode',
    );
  }
}
