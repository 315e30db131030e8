/**
 * Tenant rows as the GraphQL layer shows them, read in one query per call (no query per row) and
 * always inside the caller's transaction, so RLS decides which rows exist.
 */
import type { Queryable, ProvisioningStatus, TenantStatus } from "../registry/types.ts";
import { PROVISIONING_STEPS } from "../registry/types.ts";
import type { TenantRecord, ProvisioningStepRecord } from "../../../../graphql-v2/services.ts";

interface TenantRow {
  id: string; organization_id: string; organization_name: string; status: TenantStatus; plan: TenantRecord["plan"]; region: string;
  compute_size: TenantRecord["computeSize"]; strategy: TenantRecord["strategy"]; provisioning_status: ProvisioningStatus;
  status_reason: string | null; health_status: TenantRecord["healthStatus"]; last_health_check_at: Date | null;
  created_at: Date; updated_at: Date; activated_at: Date | null;
}

const COLUMNS = `t.id, t.organization_id, o.name as organization_name, t.status, t.plan, t.region, t.compute_size, t.strategy,
  t.provisioning_status, t.status_reason, t.health_status, t.last_health_check_at, t.created_at, t.updated_at, t.activated_at`;

/** `unsafe` is unprepared by default; these texts are constant, so prepare them like tagged queries. */
const PREPARED = { prepare: true } as const;

export function toTenantRecord(row: TenantRow): TenantRecord {
  const steps: ProvisioningStepRecord[] = PROVISIONING_STEPS.map((name) => {
    const entry = row.provisioning_status?.[name];
    return {
      name,
      state: entry?.state ?? "pending",
      attempts: entry?.attempts ?? 0,
      error: entry?.error_code ? { code: entry.error_code, message: entry.error_message ?? "" } : null,
      startedAt: entry?.started_at ?? null,
      finishedAt: entry?.finished_at ?? null,
    };
  });
  const failed = steps.find((s) => s.state === "failed" && s.error);
  return {
    id: row.id, organizationId: row.organization_id, organizationName: row.organization_name, status: row.status, plan: row.plan,
    region: row.region, computeSize: row.compute_size, strategy: row.strategy, steps, healthStatus: row.health_status,
    lastHealthCheckAt: row.last_health_check_at,
    lastError: row.status === "failed" ? (failed?.error ?? { code: "PROVISIONING_FAILED", message: row.status_reason ?? "Provisioning failed." }) : null,
    createdAt: row.created_at, updatedAt: row.updated_at, provisionedAt: row.activated_at,
  };
}

/** Live (not deleted) tenants of the given organizations that the caller may see. */
export async function tenantsOfOrganizations(tx: Queryable, organizationIds: readonly string[]): Promise<TenantRecord[]> {
  if (organizationIds.length === 0) return [];
  const rows = await tx.unsafe<TenantRow[]>(
    `select ${COLUMNS} from public.tenant_databases t join public.organizations o on o.id = t.organization_id
     where t.organization_id = any($1::uuid[]) and t.status <> 'deleted'`,
    [organizationIds as string[]],
    PREPARED,
  );
  return rows.map(toTenantRecord);
}

export interface TenantPageRows { records: { record: TenantRecord; createdAt: Date }[]; hasNextPage: boolean }

/** A page of tenants, newest first, after a `(created_at, id)` keyset position. */
export async function tenantPage(tx: Queryable, options: { status: TenantStatus | null; first: number; after: { createdAt: Date; id: string } | null }): Promise<TenantPageRows> {
  const rows = await tx.unsafe<TenantRow[]>(
    `select ${COLUMNS} from public.tenant_databases t join public.organizations o on o.id = t.organization_id
     where ($1::text is null or t.status = $1::text)
       and ($2::timestamptz is null or (t.created_at, t.id) < ($2::timestamptz, $3::uuid))
     order by t.created_at desc, t.id desc
     limit $4`,
    [options.status, options.after?.createdAt ?? null, options.after?.id ?? null, options.first + 1],
    PREPARED,
  );
  return {
    records: rows.slice(0, options.first).map((row) => ({ record: toTenantRecord(row), createdAt: row.created_at })),
    hasNextPage: rows.length > options.first,
  };
}
