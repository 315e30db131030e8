/**
 * The shared project whose default branch is the schema template for strategy `branch`. Found by
 * name (cached per process); created once when missing. Concurrent creators may race: every
 * worker keeps the oldest project of that name, and reconcile reports the others.
 */
import { pickKeeper, TEMPLATE_PROJECT_NAME, TENANT_DATABASE_NAME, TENANT_OWNER_ROLE } from "../names.ts";
import { computeFor } from "../compute.ts";
import type { StepContext } from "../types.ts";

const cache = new Map<string, Promise<string>>();

export function ensureTemplateProject(ctx: StepContext): Promise<string> {
  const key = ctx.tenant.region;
  let pending = cache.get(key);
  if (!pending) {
    pending = (async () => {
      const { keep } = pickKeeper(await ctx.neonCall(() => ctx.deps.gateway.findProjectByName(TEMPLATE_PROJECT_NAME)));
      if (keep) return keep.id;
      const { compute, historyRetentionSeconds } = computeFor("free", "xs");
      const created = await ctx.neonCall(() => ctx.deps.gateway.createProject({
        name: TEMPLATE_PROJECT_NAME, regionId: ctx.tenant.region, compute, historyRetentionSeconds,
        databaseName: TENANT_DATABASE_NAME, roleName: TENANT_OWNER_ROLE, annotations: { managed_by: "tenant-control-plane", purpose: "schema-template" },
      }));
      await ctx.neonCall(() => ctx.deps.gateway.waitForOperations(created.project.id, created.operations));
      return created.project.id;
    })();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}
