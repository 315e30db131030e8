/** Tenant health (registry migration 20261123000700). */
import type { AuditContext, Queryable } from "./types.ts";

/** A check result (`idle`: scaled-to-zero compute, deliberately not woken). */
export type HealthResultStatus = "healthy" | "degraded" | "unhealthy" | "idle";

export interface HealthCheckResult {
  tenantId: string;
  status: HealthResultStatus;
  latencyMs?: number | null;
  /** Probe results, e.g. `{ connectivity: { ok: true } }`. Never credentials. */
  checks?: Record<string, unknown>;
  errorCode?: string | null;
  errorMessage?: string | null;
  source?: "scheduled" | "requested" | "provisioning";
}

/** Service: store one result; updates the tenant's health_status. Returns the row id. */
export async function recordHealthCheck(tx: Queryable, result: HealthCheckResult): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    select public.record_health_check(${result.tenantId}, ${result.status}, ${result.latencyMs ?? null}, ${JSON.stringify(result.checks ?? {})}::text::jsonb,
      ${result.errorCode ?? null}, ${result.errorMessage ?? null}, ${result.source ?? "scheduled"}) as id`;
  return String(row!.id);
}

/** Owners/admins (or service): ask for a check of the active tenant now (idempotent until it runs). */
export async function requestTenantHealthCheck(tx: Queryable, organizationId: string, audit: AuditContext): Promise<{ tenantId: string; requestedAt: Date }> {
  const [row] = await tx<{ tenant_id: string; health_check_requested_at: Date }[]>`
    select tenant_id, health_check_requested_at from public.request_tenant_health_check(${organizationId}, ${audit.entryPoint}, ${audit.requestId ?? null})`;
  return { tenantId: row!.tenant_id, requestedAt: row!.health_check_requested_at };
}

export interface HealthCheckRow {
  id: string;
  checkedAt: Date;
  status: HealthResultStatus;
  latencyMs: number | null;
  checks: Record<string, unknown>;
  errorCode: string | null;
  errorMessage: string | null;
  source: string;
}

/** Latest results first. RLS: members of the organization. */
export async function listHealthChecks(tx: Queryable, tenantId: string, options: { limit?: number; since?: Date } = {}): Promise<HealthCheckRow[]> {
  const rows = await tx<{ id: string; checked_at: Date; status: HealthResultStatus; latency_ms: number | null; checks: Record<string, unknown>; error_code: string | null; error_message: string | null; source: string }[]>`
    select id, checked_at, status, latency_ms, checks, error_code, error_message, source
    from public.tenant_health_checks
    where tenant_id = ${tenantId} and checked_at >= ${options.since ?? new Date(0)}
    order by checked_at desc, id desc
    limit ${Math.min(Math.max(options.limit ?? 50, 1), 1000)}`;
  return rows.map((r) => ({ id: String(r.id), checkedAt: r.checked_at, status: r.status, latencyMs: r.latency_ms, checks: r.checks, errorCode: r.error_code, errorMessage: r.error_message, source: r.source }));
}
