import type { TenantResolvers } from "../generated/resolvers-types.ts";

/** Fields computed from the record; the rest are the record's own properties. */
export const Tenant: TenantResolvers = {
  progress: (tenant) => {
    if (tenant.steps.length === 0) return tenant.status === "active" ? 1 : 0;
    const done = tenant.steps.filter((step) => step.state === "succeeded" || step.state === "skipped").length;
    return done / tenant.steps.length;
  },
};
