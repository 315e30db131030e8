/** What the HealthDashboard (GraphQL `tenantHealth`) reads: the latest check and the hourly trend. */
import type { Queryable } from "../registry/types.ts";

export type DashboardStatus = "unknown" | "healthy" | "degraded" | "unhealthy" | "idle";

export interface TenantHealthView {
  organizationId: string;
  status: DashboardStatus;
  latest: { id: string; status: DashboardStatus; checkedAt: Date; latencyMs: number | null; error: { code: string; message: string } | null } | null;
  /** Oldest first, one point per hour with checks. */
  trend: Array<{ bucketStart: Date; status: DashboardStatus; checks: number; failures: number; avgLatencyMs: number | null; p50LatencyMs: number | null; p95LatencyMs: number | null; uptimePct: number }>;
}

/**
 * Run inside `withCaller` for a user (RLS: members of the organization) or `asService`. The
 * trend comes from `tenant_health_hourly`; the current hour is refreshed by maintenance every
 * few minutes. NOT_FOUND-free: no tenant → status unknown, empty trend (the caller decides).
 */
export async function getTenantHealth(tx: Queryable, organizationId: string, options: { trendHours: number }): Promise<TenantHealthView | null> {
  const hours = Math.min(Math.max(Math.trunc(options.trendHours), 1), 168);
  const [tenant] = await tx<{ id: string; health_status: DashboardStatus }[]>`
    select id, health_status from public.tenant_databases where organization_id = ${organizationId} and status <> 'deleted'`;
  if (!tenant) return null;
  const [latest] = await tx<{ id: string; status: DashboardStatus; checked_at: Date; latency_ms: number | null; error_code: string | null; error_message: string | null }[]>`
    select id, status, checked_at, latency_ms, error_code, error_message from public.tenant_health_checks
    where tenant_id = ${tenant.id} order by checked_at desc, id desc limit 1`;
  const trend = await tx<{ bucket_start: Date; worst_status: DashboardStatus; checks: number; unhealthy: number; avg_latency_ms: number | null; p50_latency_ms: number | null; p95_latency_ms: number | null; uptime_pct: number }[]>`
    select bucket_start, worst_status, checks, unhealthy, avg_latency_ms, p50_latency_ms, p95_latency_ms, uptime_pct from public.tenant_health_hourly
    where tenant_id = ${tenant.id} and bucket_start >= date_trunc('hour', now()) - make_interval(hours => ${hours - 1})
    order by bucket_start`;
  return {
    organizationId,
    status: tenant.health_status,
    latest: latest ? {
      id: String(latest.id), status: latest.status, checkedAt: latest.checked_at, latencyMs: latest.latency_ms,
      error: latest.error_code ? { code: latest.error_code, message: latest.error_message ?? "" } : null,
    } : null,
    trend: trend.map((r) => ({
      bucketStart: r.bucket_start, status: r.worst_status, checks: r.checks, failures: r.unhealthy, avgLatencyMs: r.avg_latency_ms,
      p50LatencyMs: r.p50_latency_ms, p95LatencyMs: r.p95_latency_ms, uptimePct: r.uptime_pct,
    })),
  };
}
