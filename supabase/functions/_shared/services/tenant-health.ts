/** Latest health check and hourly trend of an organization's tenant, read as the caller (RLS). */
import type { Queryable, HealthStatus } from "../registry/types.ts";
import type { TenantHealthRecord, HealthTrendPointRecord } from "../../../../graphql-v2/services.ts";

const STATUS_RANK: Record<HealthStatus, number> = { unknown: 0, idle: 1, healthy: 2, degraded: 3, unhealthy: 4 };

export async function healthOf(tx: Queryable, organizationId: string, trendHours: number, now: Date): Promise<TenantHealthRecord | null> {
  const [tenant] = await tx<{ id: string; health_status: HealthStatus }[]>`
    select id, health_status from public.tenant_databases where organization_id = ${organizationId} and status <> 'deleted'`;
  if (!tenant) return null;
  const since = new Date(now.getTime() - trendHours * 3600_000);
  const [latestRows, trendRows] = await Promise.all([
    tx<{ id: string; status: HealthStatus; checked_at: Date; latency_ms: number | null; error_code: string | null; error_message: string | null }[]>`
      select id, status, checked_at, latency_ms, error_code, error_message from public.tenant_health_checks
      where tenant_id = ${tenant.id} order by checked_at desc, id desc limit 1`,
    tx<{ bucket: Date; checks: number; failures: number; avg_latency: number | null; statuses: HealthStatus[] }[]>`
      select date_trunc('hour', checked_at) as bucket, count(*)::int as checks,
             count(*) filter (where status = 'unhealthy')::int as failures,
             avg(latency_ms)::float8 as avg_latency, array_agg(distinct status) as statuses
      from public.tenant_health_checks
      where tenant_id = ${tenant.id} and checked_at >= ${since}
      group by 1 order by 1`,
  ]);
  const latest = latestRows[0];
  const trend: HealthTrendPointRecord[] = trendRows.map((r) => ({
    bucketStart: r.bucket,
    // The worst status seen in the hour: an hour with one outage is not a healthy hour.
    status: r.statuses.reduce<HealthStatus>((worst, s) => (STATUS_RANK[s] > STATUS_RANK[worst] ? s : worst), "unknown"),
    checks: r.checks,
    failures: r.failures,
    avgLatencyMs: r.avg_latency === null ? null : Math.round(r.avg_latency * 10) / 10,
  }));
  return {
    organizationId,
    status: tenant.health_status,
    latest: latest ? {
      id: String(latest.id), status: latest.status, checkedAt: latest.checked_at, latencyMs: latest.latency_ms,
      error: latest.error_code ? { code: latest.error_code, message: latest.error_message ?? "" } : null,
    } : null,
    trend,
  };
}
