/**
 * Typed failures of the Neon gateway. The gateway never throws the client's `AxiosError`: it
 * carries the request config, including the `Authorization: Bearer <api key>` header, so a
 * careless `JSON.stringify(error.cause)` would leak the key. We copy the safe facts instead.
 */
import { AppError } from "../errors.ts";

/** Why a Neon API call failed, as far as retry and reconcile decisions are concerned. */
export type NeonFailureKind =
  | "locked" // 423: another operation holds the project; nothing was scheduled
  | "rate_limited" // 429: refused before processing
  | "unavailable" // 503: refused before processing ("always safe to retry")
  | "server_error" // other 5xx: the request may or may not have been applied
  | "timeout" // no answer within the client timeout: may or may not have been applied
  | "network" // connection failed or dropped
  | "not_found" // 404
  | "conflict" // 409
  | "client_error"; // other 4xx: our request is wrong, or a quota says no

export interface NeonApiErrorInit {
  kind: NeonFailureKind;
  /** HTTP status; null when no response arrived (timeout, network). */
  status: number | null;
  /** Neon's `code` (often empty), or the client's transport code (`ETIMEDOUT`, `ERR_NETWORK`). */
  code: string;
  message: string;
  /** `X-Request-ID` we sent (Neon echoes it as `request_id`); quote it to Neon support. */
  requestId?: string;
  /** Route template, e.g. `POST /projects`; never a full URL. */
  route: string;
  /** Calling again with the same arguments is safe (possibly after `retryAfterMs`). */
  retryable: boolean;
  /**
   * A non-idempotent request (e.g. `POST /projects`) got no clear answer: it may have been
   * applied. Reconcile first (look the resource up by its deterministic name), then retry.
   */
  outcomeUnknown: boolean;
  retryAfterMs?: number;
  /** HTTP attempts made before giving up. */
  attempts: number;
}

export class NeonApiError extends Error {
  override readonly name = "NeonApiError";
  readonly kind: NeonFailureKind;
  readonly status: number | null;
  readonly code: string;
  readonly requestId?: string;
  readonly route: string;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs?: number;
  readonly attempts: number;

  constructor(init: NeonApiErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.route = init.route;
    this.retryable = init.retryable;
    this.outcomeUnknown = init.outcomeUnknown;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts;
  }
}

export type NeonOperationFailure = "failed" | "error" | "cancelled" | "unknown_status" | "timeout";

/** An asynchronous Neon operation did not reach `finished`/`skipped` (or we stopped waiting). */
export class NeonOperationError extends Error {
  override readonly name = "NeonOperationError";
  readonly projectId: string;
  readonly operationId: string;
  readonly action: string;
  /** Last status seen (`failed`, `error`, `cancelled`, `running`, …). */
  readonly operationStatus: string;
  readonly reason: NeonOperationFailure;
  /** Waiting again later may succeed (timeouts; `failed` operations Neon may still retry). */
  readonly retryable: boolean;

  constructor(init: { projectId: string; operationId: string; action: string; operationStatus: string; reason: NeonOperationFailure; detail?: string }) {
    const what = `Neon operation ${init.action} (${init.operationId}) on project ${init.projectId}`;
    super(init.reason === "timeout"
      ? `${what} was still ${init.operationStatus} when we stopped waiting`
      : `${what} ended ${init.operationStatus}${init.detail ? `: ${init.detail}` : ""}`);
    this.projectId = init.projectId;
    this.operationId = init.operationId;
    this.action = init.action;
    this.operationStatus = init.operationStatus;
    this.reason = init.reason;
    this.retryable = init.reason === "timeout" || init.reason === "failed";
  }
}

export function isNeonApiError(error: unknown): error is NeonApiError {
  return error instanceof NeonApiError;
}

const seconds = (ms: number | undefined, fallback: number) => Math.max(1, Math.ceil((ms ?? fallback * 1000) / 1000));

/**
 * Maps gateway failures to caller-facing `AppError`s (messages say what to do; details carry only
 * Neon's request id and code). Anything else is returned unchanged, so the boundary masks it.
 */
export function neonErrorToAppError(error: unknown): unknown {
  if (error instanceof NeonOperationError) {
    const details = { operationId: error.operationId, action: error.action, status: error.operationStatus };
    return error.reason === "timeout"
      ? new AppError("UPSTREAM_UNAVAILABLE", "The database platform is still working on this tenant. Try again in a minute.", { details, retryAfterSeconds: 60, cause: error })
      : new AppError("PROVISIONING_FAILED", "The database platform could not complete a step for this tenant. Retry provisioning; if it fails again, contact support.", { details, cause: error });
  }
  if (!(error instanceof NeonApiError)) return error;
  const details = { neonRequestId: error.requestId, neonCode: error.code || undefined };
  switch (error.kind) {
    case "rate_limited":
      return new AppError("RATE_LIMITED", "Too many requests to the database platform right now. Try again shortly.", { details, retryAfterSeconds: seconds(error.retryAfterMs, 10), cause: error });
    case "locked":
    case "unavailable":
    case "server_error":
    case "timeout":
    case "network":
      return new AppError("UPSTREAM_UNAVAILABLE", "The database platform is temporarily unavailable. Try again in a few seconds.", { details, retryAfterSeconds: seconds(error.retryAfterMs, 5), cause: error });
    case "not_found":
      return new AppError("NOT_FOUND", "The tenant's database no longer exists at the platform. Reconcile or re-provision the tenant.", { details, cause: error });
    case "conflict":
      return new AppError("CONFLICT", "The database platform already has a resource with that name.", { details, cause: error });
    case "client_error":
      if (error.status === 401 || error.status === 403) {
        return new AppError("INTERNAL", "The control plane cannot use the database platform right now. Try again later or contact support.", { details, cause: error });
      }
      return new AppError("PROVISIONING_FAILED", `The database platform refused the request${error.code ? ` (${error.code})` : ""}. Contact support if this persists.`, { details, cause: error });
  }
}
