/** Registry access of the health checker; every function takes the `tx` of `asService`. */
import type { Queryable } from "../registry/types.ts";
import type { HealthResultStatus } from "../registry/health.ts";
import type { TenantNeonRef } from "./control-plane.ts";

export interface SweepTenant extends TenantNeonRef {
  organizationId: string;
  healthStatus: string;
  credentialsVersion: number;
  lastSqlProbeAt: Date | null;
  lastSqlProbeStatus: "healthy" | "degraded" | null;
}

type TenantRow = {
  id: string; organization_id: string; strategy: "project" | "branch"; neon_project_id: string | null; neon_endpoint_id: string | null;
  health_status: string; credentials_version: number; last_sql_probe_at: Date | null; last_sql_probe_status: "healthy" | "degraded" | null;
};

const toTenant = (r: TenantRow): SweepTenant => ({
  tenantId: r.id, organizationId: r.organization_id, strategy: r.strategy, neonProjectId: r.neon_project_id, neonEndpointId: r.neon_endpoint_id,
  healthStatus: r.health_status, credentialsVersion: r.credentials_version, lastSqlProbeAt: r.last_sql_probe_at, lastSqlProbeStatus: r.last_sql_probe_status,
});

/** Active tenants after `afterId` in id order (the sweep's continuation order). */
export async function listActiveTenants(tx: Queryable, options: { afterId: string | null; limit: number; region?: string | null }): Promise<SweepTenant[]> {
  const rows = await tx<TenantRow[]>`
    select d.id, d.organization_id, d.strategy, d.neon_project_id, d.neon_endpoint_id, d.health_status, d.credentials_version,
           s.last_sql_probe_at, s.last_sql_probe_status
    from public.tenant_databases d left join public.tenant_health_state s on s.tenant_id = d.id
    where d.status = 'active' and (${options.afterId}::uuid is null or d.id > ${options.afterId}::uuid)
      and (${options.region ?? null}::text is null or d.region = ${options.region ?? null}::text)
    order by d.id
    limit ${options.limit}`;
  return rows.map(toTenant);
}

/** A live tenant (any status but deleted) by id, or null. */
export async function tenantById(tx: Queryable, tenantId: string): Promise<SweepTenant | null> {
  const [row] = await tx<TenantRow[]>`
    select d.id, d.organization_id, d.strategy, d.neon_project_id, d.neon_endpoint_id, d.health_status, d.credentials_version,
           s.last_sql_probe_at, s.last_sql_probe_status
    from public.tenant_databases d left join public.tenant_health_state s on s.tenant_id = d.id
    where d.id = ${tenantId} and d.status <> 'deleted'`;
  return row ? toTenant(row) : null;
}

export interface StoredResult {
  checkId: string;
  alertId: string | null;
  alertKind: "degraded" | "unhealthy" | "recovered" | null;
}

export async function recordHealthResult(tx: Queryable, input: {
  tenantId: string; status: HealthResultStatus; latencyMs: number | null; checks: Record<string, unknown>;
  errorCode: string | null; errorMessage: string | null; source: "scheduled" | "requested" | "provisioning";
  sqlProbed: boolean; webhookConfigured: boolean;
}): Promise<StoredResult> {
  const [row] = await tx<{ check_id: string; alert_id: string | null; alert_kind: StoredResult["alertKind"] }[]>`
    select check_id, alert_id, alert_kind from public.record_health_result(${input.tenantId}, ${input.status}, ${input.latencyMs},
      ${JSON.stringify(input.checks)}::text::jsonb, ${input.errorCode}, ${input.errorMessage}, ${input.source}, ${input.sqlProbed}, ${input.webhookConfigured})`;
  return { checkId: String(row!.check_id), alertId: row!.alert_id === null ? null : String(row!.alert_id), alertKind: row!.alert_kind };
}

export async function recordAlertDelivery(tx: Queryable, alertId: string, outcome: { delivered: boolean; attempts: number; error: string | null }): Promise<void> {
  await tx`select public.record_health_alert_delivery(${alertId}, ${outcome.delivered}, ${outcome.attempts}, ${outcome.error})`;
}

export async function claimSweep(tx: Queryable, owner: string, leaseSeconds: number): Promise<{ claimed: boolean; cursor: string | null }> {
  const [row] = await tx<{ claimed: boolean; cursor_tenant_id: string | null }[]>`select claimed, cursor_tenant_id from public.claim_health_sweep(${owner}, ${leaseSeconds})`;
  return { claimed: row!.claimed, cursor: row!.cursor_tenant_id };
}

export async function releaseSweep(tx: Queryable, owner: string, cursor: string | null, passFinished: boolean): Promise<void> {
  await tx`select public.release_health_sweep(${owner}, ${cursor}, ${passFinished})`;
}

/** Rollups and retention, at most every `everyMinutes` (the cron also runs it on its own). */
export async function maintainIfDue(tx: Queryable, rawRetentionHours: number, everyMinutes = 5): Promise<Record<string, number> | null> {
  const [due] = await tx<{ due: boolean }[]>`
    select coalesce(last_maintenance_at < now() - make_interval(mins => ${everyMinutes}), true) as due from public.tenant_health_sweep where id`;
  if (!due?.due) return null;
  const [row] = await tx<{ result: Record<string, number> }[]>`
    select public.run_tenant_health_maintenance(make_interval(hours => ${rawRetentionHours}), greatest(make_interval(hours => ${rawRetentionHours}), interval '90 days')) as result`;
  return row!.result;
}
