/** Step seed_data: the bundled seed files (categories, settings, default roles), once per tenant database. */
import { applyTenantSeed } from "../../tenant-schema/index.ts";
import type { StepFn } from "../types.ts";

export const seedData: StepFn = async (ctx) => {
  const result = await ctx.withTenantDb("owner_direct", (sql) => applyTenantSeed({ sql, seed: ctx.deps.schema.seed, now: () => new Date(ctx.deps.now()) }));
  return { applied: result.applied, skipped: result.skipped, changed: result.changed };
};
