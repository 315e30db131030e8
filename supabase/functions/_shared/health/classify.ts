/** Pure classification of one tenant's probe results against the thresholds. */
import type { HealthThresholds } from "./config.ts";
import type { HealthResultStatus } from "../registry/health.ts";

/** What the control plane (Neon API) says about the tenant's compute. */
export interface ControlPlaneFacts {
  /** `active`: running now; `idle`: scaled to zero; `missing`: project/endpoint not found; `unknown`: API failed. */
  state: "active" | "idle" | "missing" | "unknown";
  lastActiveAt?: string | null;
  storageBytes?: number | null;
  suspendTimeoutSeconds?: number | null;
  /** Autoscaling ceiling, for the connections limit. */
  maxCu?: number | null;
  error?: string;
}

export interface SqlProbeFacts {
  ok: boolean;
  latencyMs?: number;
  databaseBytes?: number;
  connectionsUsed?: number;
  connectionsAllowed?: number;
  schemaVersion?: string | null;
  errorCode?: string;
  errorMessage?: string;
}

export interface Classification {
  status: HealthResultStatus;
  reasons: string[];
  errorCode: string | null;
}

export function classify(input: { controlPlane: ControlPlaneFacts; sql: SqlProbeFacts | null; latestSchemaVersion: string; thresholds: HealthThresholds }): Classification {
  const { controlPlane: cp, sql, thresholds: t } = input;
  if (cp.state === "missing") return { status: "unhealthy", reasons: ["neon_resource_missing"], errorCode: "NEON_RESOURCE_MISSING" };
  if (!sql) {
    // No SQL probe: an idle compute is reported as such, not woken.
    if (cp.state === "idle") return { status: "idle", reasons: ["scaled_to_zero"], errorCode: null };
    return { status: "unhealthy", reasons: ["not_probed"], errorCode: cp.state === "unknown" ? "NEON_API_UNAVAILABLE" : "NOT_PROBED" };
  }
  if (!sql.ok) return { status: "unhealthy", reasons: ["sql_unreachable"], errorCode: sql.errorCode ?? "SQL_PROBE_FAILED" };
  const reasons: string[] = [];
  if (sql.latencyMs !== undefined && sql.latencyMs > t.unhealthyLatencyMs) return { status: "unhealthy", reasons: ["latency_unhealthy"], errorCode: "LATENCY_UNHEALTHY" };
  if (sql.latencyMs !== undefined && sql.latencyMs > t.degradedLatencyMs) reasons.push("latency");
  if (sql.connectionsUsed !== undefined && sql.connectionsAllowed && sql.connectionsUsed / sql.connectionsAllowed > t.degradedConnectionRatio) reasons.push("connections");
  const storage = cp.storageBytes ?? sql.databaseBytes;
  if (t.degradedStorageBytes > 0 && storage !== undefined && storage !== null && storage > t.degradedStorageBytes) reasons.push("storage");
  if (sql.schemaVersion !== undefined && sql.schemaVersion !== input.latestSchemaVersion) reasons.push("schema_version");
  return reasons.length ? { status: "degraded", reasons, errorCode: null } : { status: "healthy", reasons: [], errorCode: null };
}
