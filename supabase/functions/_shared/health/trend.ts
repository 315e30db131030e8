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

interface HealthRow {
  health_status: DashboardStatus;
  latest_id: string | null; latest_status: DashboardStatus | null; checked_at: Date | null; latency_ms: number | null;
  error_code: string | null; error_message: string | null;
  bucket_start: Date | null; worst_status: DashboardStatus | null; checks: number | null; unhealthy: number | null;
  avg_latency_ms: number | null; p50_latency_ms: number | null; p95_latency_ms: number | null; uptime_pct: number | null;
}

/**
 * Run inside `readAsCaller`/`withCaller` for a user (RLS: members of the organization) or
 * `asService`. One statement (one plan): the tenant, its latest check, and one row
 * per hour of the trend from `tenant_health_hourly` (the current hour is refreshed by maintenance
 * every few minutes). NOT_FOUND-free: no tenant → null (the caller decides).
 */
export async function getTenantHealth(tx: Queryable, organizationId: string, options: { trendHours: number }): Promise<TenantHealthView | null> {
  const hours = Math.min(Math.max(Math.trunc(options.trendHours), 1), 168);
  const rows = await tx<HealthRow[]>`
    select t.health_status,
           l.id as latest_id, l.status as latest_status, l.checked_at, l.latency_ms, l.error_code, l.error_message,
           h.bucket_start, h.worst_status, h.checks, h.unhealthy, h.avg_latency_ms, h.p50_latency_ms, h.p95_latency_ms, h.uptime_pct
    from public.tenant_databases t
    left join lateral (
      select c.id, c.status, c.checked_at, c.latency_ms, c.error_code, c.error_message from public.tenant_health_checks c
      where c.tenant_id = t.id order by c.checked_at desc, c.id desc limit 1
    ) l on true
    left join lateral (
      select r.bucket_start, r.worst_status, r.checks, r.unhealthy, r.avg_latency_ms, r.p50_latency_ms, r.p95_latency_ms, r.uptime_pct
      from public.tenant_health_hourly r
      where r.tenant_id = t.id and r.bucket_start >= date_trunc('hour', now()) - make_interval(hours => ${hours - 1})
    ) h on true
    where t.organization_id = ${organizationId} and t.status <> 'deleted'
    order by h.bucket_start`;
  const first = rows[0];
  if (!first) return null;
  return {
    organizationId,
    status: first.health_status,
    latest: first.latest_id !== null ? {
      id: String(first.latest_id), status: first.latest_status!, checkedAt: first.checked_at!, latencyMs: first.latency_ms,
      error: first.error_code ? { code: first.error_code, message: first.error_message ?? "" } : null,
    } : null,
    trend: rows.filter((r) => r.bucket_start !== null).map((r) => ({
      bucketStart: r.bucket_start!, status: r.worst_status!, checks: r.checks!, failures: r.unhealthy!, avgLatencyMs: r.avg_latency_ms,
      p50LatencyMs: r.p50_latency_ms, p95LatencyMs: r.p95_latency_ms, uptimePct: r.uptime_pct!,
    })),
  };
}
