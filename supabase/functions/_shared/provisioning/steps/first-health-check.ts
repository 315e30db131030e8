/**
 * Step first_health_check: the same check the scheduler runs (SQL probe through the serverless
 * driver, classification, history, alerts), as the tenant's first recorded health result. An
 * unhealthy tenant is not activated; the step is retried.
 */
import { ProvisioningStepError } from "../failures.ts";
import type { StepFn } from "../types.ts";

export const firstHealthCheck: StepFn = async (ctx) => {
  const result = await ctx.deps.checkHealth(ctx.tenant.id);
  if (result.status === "unhealthy") {
    throw new ProvisioningStepError("TENANT_DB_UNREACHABLE", `The first health check found the database unhealthy (${result.errorCode ?? "no detail"}).`, true);
  }
  return { status: result.status, latencyMs: result.latencyMs };
};
