/** The per-tenant migrations ledger (registry migration 20261123000800). */
import type { Queryable } from "./types.ts";

export interface TenantMigrationRecord {
  tenantId: string;
  version: string;
  name?: string | null;
  /** Lower-case hex sha256 of the migration file. */
  checksum: string;
  durationMs: number;
  success: boolean;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** Service: append one attempt (idempotent for a repeated success; CONFLICT on checksum drift). */
export async function recordTenantMigration(tx: Queryable, record: TenantMigrationRecord): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    select public.record_tenant_migration(${record.tenantId}, ${record.version}, ${record.name ?? null}, ${record.checksum},
      ${Math.round(record.durationMs)}, ${record.success}, ${record.errorCode ?? null}, ${record.errorMessage ?? null}) as id`;
  return String(row!.id);
}

/** Service: versions already applied to a tenant, with their checksums. */
export async function appliedTenantMigrations(tx: Queryable, tenantId: string): Promise<{ version: string; checksum: string; appliedAt: Date }[]> {
  const rows = await tx<{ version: string; checksum: string; applied_at: Date }[]>`select version, checksum, applied_at from public.applied_tenant_migrations(${tenantId})`;
  return rows.map((r) => ({ version: r.version, checksum: r.checksum, appliedAt: r.applied_at }));
}
