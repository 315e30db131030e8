/** The GraphQL services' ports bound to the real engine and health checker. */
import type { ProvisioningEngine } from "../provisioning/index.ts";
import { checkTenantHealthForOrganization, type HealthDeps } from "../health/index.ts";
import type { HealthPort, ProvisioningPort } from "./tenant-services.ts";

/** `waitUntil` keeps background provisioning alive after the response (EdgeRuntime.waitUntil). */
export function enginePort(engine: ProvisioningEngine, waitUntil: (work: Promise<unknown>) => void): ProvisioningPort {
  const keep = (work: Promise<unknown> | null) => { if (work) waitUntil(work); };
  return {
    async provision(caller, input, context) {
      const started = await engine.provision(caller, {
        organizationId: input.organizationId, region: input.region, plan: input.plan, size: input.computeSize, strategy: input.strategy,
        idempotencyKey: context.idempotencyKey ?? null,
      }, context);
      keep(started.work);
      return { tenantId: started.result.id, created: started.result.created };
    },
    async retry(caller, organizationId, step, context) {
      keep((await engine.retry(caller, organizationId, step, context)).work);
    },
    async deprovision(caller, organizationId, context) {
      keep((await engine.deprovision(caller, organizationId, "requested through GraphQL", context)).work);
    },
  };
}

export function healthPort(health: HealthDeps): HealthPort {
  return {
    async checkOrganization(caller, organizationId, context) {
      await checkTenantHealthForOrganization(health, caller, { organizationId, requestId: context.requestId });
    },
  };
}
