/**
 * Reconcile: Neon (our projects, by the `tcp-<tenant id>` naming) against the registry, both ways.
 * - Neon orphans: a project of ours with no tenant, a deleted tenant, or a live tenant that
 *   records another project (a duplicate from a lost create response). Deleted when older than
 *   the grace period and `deleteOrphans` is set (not on `dryRun`). A live tenant that records no
 *   project yet is `unrecorded` (a creation in flight) and never deleted here.
 * - Registry orphans: a live project-strategy tenant whose recorded project is gone.
 * - Stuck tenants: pending too long, or (de)provisioning without a live lease for too long.
 */
import { asService } from "../db.ts";
import { searchProjects } from "../neon/index.ts";
import type { TenantStatus } from "../registry/types.ts";
import { NAME_PREFIX, TEMPLATE_PROJECT_NAME, tenantIdFromName } from "./names.ts";
import type { ResolvedDeps } from "./types.ts";

export interface ReconcileOptions {
  /** Orphans younger than this are reported, never deleted. @default 60 */
  graceMinutes?: number;
  deleteOrphans?: boolean;
  dryRun?: boolean;
  /** @default 30 */
  stuckMinutes?: number;
}

export interface NeonOrphan {
  projectId: string;
  name: string;
  tenantId: string | null;
  reason: "no_tenant" | "tenant_deleted" | "duplicate" | "unrecorded";
  createdAt: string;
  ageMinutes: number;
  deleted: boolean;
}

export interface ReconcileReport {
  scannedProjects: number;
  neonOrphans: NeonOrphan[];
  registryOrphans: { tenantId: string; organizationId: string; status: TenantStatus; projectId: string }[];
  stuck: { tenantId: string; organizationId: string; status: TenantStatus; currentStep: string | null; reason: string }[];
}

interface Row { id: string; organization_id: string; status: TenantStatus; strategy: string; neon_project_id: string | null; current_step: string | null; stuck_reason: string | null }

export async function reconcile(deps: ResolvedDeps, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const graceMs = (options.graceMinutes ?? 60) * 60_000;
  const stuckMinutes = options.stuckMinutes ?? 30;
  const projects = await searchProjects(deps.gateway, NAME_PREFIX, (p) => p.name.startsWith(NAME_PREFIX));
  const ids = [...new Set(projects.map((p) => tenantIdFromName(p.name)).filter((id): id is string => id !== null))];
  const rows = await asService(deps.sql, (tx) => tx<Row[]>`
    select id, organization_id, status, strategy, neon_project_id, current_step,
      case
        when status = 'pending' and created_at < now() - make_interval(mins => ${stuckMinutes}) then 'pending for over ' || ${stuckMinutes} || ' minutes'
        when status in ('provisioning', 'deprovisioning') and coalesce(lease_expires_at, updated_at) < now() - make_interval(mins => ${stuckMinutes}) then status || ' without a live lease for over ' || ${stuckMinutes} || ' minutes'
      end as stuck_reason
    from public.tenant_databases
    where id = any(${ids}::uuid[]) or (status <> 'deleted' and ((strategy = 'project' and neon_project_id is not null) or status in ('pending', 'provisioning', 'deprovisioning')))`);
  const byId = new Map(rows.map((r) => [r.id, r]));

  const now = deps.now();
  const neonOrphans: NeonOrphan[] = [];
  for (const p of projects) {
    if (p.name === TEMPLATE_PROJECT_NAME) continue;
    const tenantId = tenantIdFromName(p.name);
    const tenant = tenantId ? byId.get(tenantId) : undefined;
    const reason: NeonOrphan["reason"] | null = !tenant ? "no_tenant"
      : tenant.status === "deleted" ? "tenant_deleted"
      : tenant.neon_project_id === null ? "unrecorded"
      : tenant.neon_project_id !== p.id ? "duplicate" : null;
    if (!reason) continue;
    const ageMs = now - Date.parse(p.created_at);
    const deletable = reason !== "unrecorded" && ageMs >= graceMs && options.deleteOrphans === true && options.dryRun !== true;
    if (deletable) await deps.gateway.deleteProject(p.id);
    neonOrphans.push({ projectId: p.id, name: p.name, tenantId, reason, createdAt: p.created_at, ageMinutes: Math.floor(ageMs / 60_000), deleted: deletable });
  }

  const listed = new Set(projects.map((p) => p.id));
  const registryOrphans = rows
    .filter((r) => r.status !== "deleted" && r.status !== "deprovisioning" && r.strategy === "project" && r.neon_project_id && !listed.has(r.neon_project_id))
    .map((r) => ({ tenantId: r.id, organizationId: r.organization_id, status: r.status, projectId: r.neon_project_id! }));
  const stuck = rows.filter((r) => r.stuck_reason).map((r) => ({ tenantId: r.id, organizationId: r.organization_id, status: r.status, currentStep: r.current_step, reason: r.stuck_reason! }));
  deps.logger.info("reconcile done", { scanned: projects.length, neonOrphans: neonOrphans.length, registryOrphans: registryOrphans.length, stuck: stuck.length });
  return { scannedProjects: projects.length, neonOrphans, registryOrphans, stuck };
}
