/**
 * Deprovisioning work of a claimed `deprovisioning` tenant: delete its Neon project (and any
 * duplicate found by name) or its branch, delete its Vault secrets, then `deleted` (the row stays
 * as history with deleted_at; the organization slug stays reserved by the organization tombstone,
 * and a new tenant always gets a new project name). Every part is idempotent: Neon's 404 counts
 * as gone, secrets are deleted by id and by name.
 */
import { asService } from "../db.ts";
import { deleteTenantCredentials } from "../registry/credentials.ts";
import { transitionTenantStatus } from "../registry/tenants.ts";
import { loadTenant } from "./context.ts";
import { tenantResourceName } from "./names.ts";
import type { ResolvedDeps, Timing } from "./types.ts";

export async function deprovisionClaimed(deps: ResolvedDeps, tenantId: string, workerId: string, timing: Timing): Promise<{ projectsDeleted: number; branchesDeleted: number; secretsDeleted: number }> {
  const tenant = await loadTenant(deps, tenantId);
  if (!tenant) throw new Error(`tenant ${tenantId} vanished`);
  const neon = deps.gateway.forTenant(tenantId);
  const started = deps.now();
  let projectsDeleted = 0;
  let branchesDeleted = 0;
  const name = tenantResourceName(tenantId);
  if (tenant.strategy === "project") {
    const ids = new Set<string>(tenant.neon_project_id ? [tenant.neon_project_id] : []);
    for (const p of await neon.findProjectByName(name)) ids.add(p.id);
    for (const id of ids) if ((await neon.deleteProject(id)).existed) projectsDeleted++;
  } else if (tenant.neon_project_id) {
    const branchIds = new Set<string>(tenant.neon_branch_id ? [tenant.neon_branch_id] : []);
    const found = await neon.findBranchByName(tenant.neon_project_id, name);
    if (found) branchIds.add(found.id);
    for (const id of branchIds) if ((await neon.deleteBranch(tenant.neon_project_id, id)).existed) branchesDeleted++;
  }
  timing.neonMs += deps.now() - started;
  const secretsDeleted = await asService(deps.sql, async (tx) => {
    const n = await deleteTenantCredentials(tx, { tenantId, workerId });
    await transitionTenantStatus(tx, { tenantId, from: "deprovisioning", to: "deleted", workerId, reason: `Neon resources deleted (${projectsDeleted} project(s), ${branchesDeleted} branch(es))` });
    return n;
  });
  deps.logger.info("tenant deprovisioned", { tenantId, workerId, projectsDeleted, branchesDeleted, secretsDeleted });
  return { projectsDeleted, branchesDeleted, secretsDeleted };
}
