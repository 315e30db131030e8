/** Step first_health_check: one query through the pooled app connection, recorded as the tenant's first health result. */
import { recordHealthCheck } from "../../registry/health.ts";
import type { StepFn } from "../types.ts";

export const firstHealthCheck: StepFn = async (ctx) => {
  const started = ctx.deps.now();
  await ctx.withTenantDb("app_pooled", (sql) => sql`select 1`);
  const latencyMs = ctx.deps.now() - started;
  await ctx.registry((tx) => recordHealthCheck(tx, { tenantId: ctx.tenant.id, status: "healthy", latencyMs, checks: { connectivity: { ok: true } }, source: "provisioning" }));
  return { latencyMs };
};
