/**
 * Stable error codes. Every failure a caller can see carries one of these; the HTTP boundary
 * (`http.ts`) and the GraphQL layer map them to a status / `extensions.code`. Anything that is
 * not an `AppError` is unexpected: it is logged with a request id and masked as `INTERNAL`.
 */
export const ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  VALIDATION_FAILED: 400,
  TENANT_NOT_ACTIVE: 409,
  PROVISIONING_FAILED: 422,
  RATE_LIMITED: 429,
  NOT_IMPLEMENTED: 501,
  UPSTREAM_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface AppErrorOptions {
  /** Extra, safe-to-show facts (e.g. `{ field: "region" }`). Never put secrets here. */
  details?: Record<string, unknown>;
  /** Seconds the caller should wait before retrying (RATE_LIMITED, UPSTREAM_UNAVAILABLE). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** An expected failure: its message is shown to the caller, so it must say what to do. */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** What callers see for an unexpected (masked) error. */
export const UNEXPECTED_MESSAGE = "Unexpected error. Try again; if it persists, contact the operator with the request id.";

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** A validation failure naming the offending field (dot path) so clients can point at it. */
export function validationError(field: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError("VALIDATION_FAILED", message, { details: { field, ...extra } });
}
