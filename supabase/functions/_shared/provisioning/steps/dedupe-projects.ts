/**
 * After an ambiguous create (a timeout or lost response on POST /projects, then a create again),
 * a slow first create may land after our lookup: by the time the endpoint is verified it has, so
 * we delete every project with the tenant's name except the recorded one. One list call, made
 * only when create_database needed more than one attempt; reconcile is the backstop for creates
 * that land even later.
 */
import { tenantResourceName } from "../names.ts";
import type { StepContext } from "../types.ts";

export async function deleteDuplicateProjects(ctx: StepContext): Promise<number> {
  const { tenant } = ctx;
  if (tenant.strategy !== "project" || !tenant.neon_project_id) return 0;
  if ((tenant.provisioning_status.create_database?.attempts ?? 0) <= 1) return 0;
  const found = await ctx.neonCall(() => ctx.neon.findProjectByName(tenantResourceName(tenant.id)));
  let deleted = 0;
  for (const p of found) {
    if (p.id === tenant.neon_project_id) continue;
    ctx.deps.logger.warn("deleting duplicate tenant project", { tenantId: tenant.id, projectId: p.id, kept: tenant.neon_project_id });
    await ctx.neonCall(() => ctx.neon.deleteProject(p.id));
    deleted++;
  }
  return deleted;
}
