/**
 * Stable failure codes of provisioning steps. A step's error is classified once, here: the code
 * goes into `provisioning_status`/`provisioning_events` and the tenant's `status_reason`, the
 * message tells an operator or owner what to do, `retryable` decides whether the engine tries
 * again on its own. Messages never carry connection strings (the registry redacts as well).
 */
import { AppError } from "../errors.ts";
import { NeonApiError, NeonOperationError } from "../neon/index.ts";
import { TenantSchemaError } from "../tenant-schema/index.ts";

export const FAILURE_CODES = {
  NEON_UNAVAILABLE: "Neon did not answer or was busy (423/503/timeout) after several retries. Provisioning resumes on its own; if it stays failed, retry provisioning later.",
  NEON_RATE_LIMITED: "Neon rate-limited the control plane (429) after several retries. Retry provisioning in a minute.",
  NEON_QUOTA_EXCEEDED: "The Neon account reached its project or branch limit. Raise the Neon quota or deprovision unused tenants, then retry provisioning.",
  NEON_AUTH_FAILED: "Neon refused the control plane's API key (401/403). Fix NEON_API_KEY / NEON_ORG_ID, then retry provisioning.",
  NEON_REQUEST_REJECTED: "Neon rejected the request (4xx). Check region, plan and size; then retry provisioning or contact support with the tenant id.",
  NEON_RESOURCE_MISSING: "The tenant's Neon project or branch no longer exists. Retry provisioning from create_database.",
  NEON_OPERATION_FAILED: "A Neon operation for this tenant failed. Retry provisioning; if it fails again, contact support with the tenant id.",
  NEON_OPERATION_TIMEOUT: "A Neon operation for this tenant did not finish in time. Retry provisioning in a few minutes.",
  TENANT_DB_UNREACHABLE: "The tenant database did not accept connections. Retry provisioning; if it persists, check the Neon endpoint.",
  TENANT_SCHEMA_CHECKSUM_MISMATCH: "A tenant migration was edited after it was applied. Restore the released file, put the change in a new migration, redeploy, then retry provisioning from apply_migrations.",
  TENANT_SCHEMA_UNKNOWN_VERSION: "The tenant database has a migration this build does not contain. Deploy the newer build, then retry provisioning.",
  TENANT_MIGRATION_FAILED: "A tenant migration failed and was rolled back. Fix the migration, redeploy, then retry provisioning from apply_migrations.",
  TENANT_SEED_FAILED: "A seed file failed and was rolled back. Fix the seed, redeploy, then retry provisioning from seed_data.",
  TENANT_SCHEMA_LOCKED: "Another schema run held the tenant database lock too long. Retry provisioning.",
  TENANT_TLS_NOT_ENFORCED: "The tenant endpoint accepted a connection without TLS. Check the endpoint settings, then retry provisioning from verify_endpoint.",
  APP_ROLE_TOO_PRIVILEGED: "The application role can run DDL. Retry provisioning from apply_migrations (it re-applies the grants); contact support if it persists.",
  CREDENTIALS_UNAVAILABLE: "The tenant's credentials could not be read or stored in Vault. Retry provisioning from store_credentials.",
  LEASE_LOST: "Another worker took over this tenant. Nothing to do: that worker continues.",
  INTERNAL_ERROR: "Unexpected error in this step. Retry provisioning; if it fails again, contact support with the tenant id.",
} as const;

export type FailureCode = keyof typeof FAILURE_CODES;

export interface StepFailure {
  code: FailureCode;
  /** What happened (safe to show) followed by what to do. */
  message: string;
  /** The engine may try the step again on its own (with backoff). */
  retryable: boolean;
  /** Wait at least this long before retrying (Neon's Retry-After). */
  retryAfterMs?: number;
}

/** Thrown by steps for failures they recognise themselves. */
export class ProvisioningStepError extends Error {
  override readonly name = "ProvisioningStepError";
  constructor(readonly code: FailureCode, detail: string, readonly retryable = false, options?: { cause?: unknown }) {
    super(detail, options);
  }
}

const make = (code: FailureCode, detail: string, retryable: boolean, retryAfterMs?: number): StepFailure => ({
  code, retryable, message: `${detail.slice(0, 400)} — ${FAILURE_CODES[code]}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});

/** Connection-level SQLSTATE classes and network codes: the database was not reachable (yet). */
const UNREACHABLE = /^(08|57P0|53300|28P01|3D000)|^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|CONNECT_TIMEOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|ENOTFOUND|EPIPE)$/;

export function classifyFailure(error: unknown): StepFailure {
  if (error instanceof ProvisioningStepError) return make(error.code, error.message, error.retryable);
  if (error instanceof NeonApiError) {
    const detail = `Neon ${error.route} answered ${error.status ?? error.code ?? "nothing"}${error.requestId ? ` (request ${error.requestId})` : ""}: ${error.message}`;
    switch (error.kind) {
      case "rate_limited": return make("NEON_RATE_LIMITED", detail, true, error.retryAfterMs);
      case "locked": case "unavailable": case "server_error": case "timeout": case "network": return make("NEON_UNAVAILABLE", detail, true, error.retryAfterMs);
      case "not_found": return make("NEON_RESOURCE_MISSING", detail, false);
      case "conflict": return make("NEON_REQUEST_REJECTED", detail, true);
      case "client_error":
        if (error.status === 401 || error.status === 403) return make("NEON_AUTH_FAILED", detail, false);
        if (/LIMIT|QUOTA/i.test(error.code) || /limit|quota/i.test(error.message)) return make("NEON_QUOTA_EXCEEDED", detail, false);
        return make("NEON_REQUEST_REJECTED", detail, false);
    }
  }
  if (error instanceof NeonOperationError) {
    return error.reason === "timeout" ? make("NEON_OPERATION_TIMEOUT", error.message, true) : make("NEON_OPERATION_FAILED", error.message, error.retryable);
  }
  if (error instanceof TenantSchemaError) {
    switch (error.kind) {
      case "checksum_mismatch": return make("TENANT_SCHEMA_CHECKSUM_MISMATCH", error.message, false);
      case "unknown_version": return make("TENANT_SCHEMA_UNKNOWN_VERSION", error.message, false);
      case "migration_failed": return make("TENANT_MIGRATION_FAILED", error.message, false);
      case "seed_failed": return make("TENANT_SEED_FAILED", error.message, false);
      case "lock_timeout": return make("TENANT_SCHEMA_LOCKED", error.message, true);
      case "not_migrated": return make("TENANT_MIGRATION_FAILED", error.message, false);
    }
  }
  if (error instanceof AppError && error.code === "CONFLICT" && /lease|Claim it again/i.test(error.message)) {
    return make("LEASE_LOST", error.message, false);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNREACHABLE.test(code)) {
    return make("TENANT_DB_UNREACHABLE", `tenant database connection failed (${code})`, true);
  }
  // 42704: role does not exist yet — Neon applies a new role to the compute asynchronously.
  if (code === "42704") return make("TENANT_DB_UNREACHABLE", "the application role is not on the compute yet (42704)", true);
  return make("INTERNAL_ERROR", error instanceof Error ? `${error.name}: ${error.message}` : "unknown error", true);
}
