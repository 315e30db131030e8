/**
 * The GraphQL layer's service contract speaks the registry's vocabulary: the value unions of
 * `graphql-v2/services.ts` (and the SDL enum maps) equal the constants of
 * `supabase/functions/_shared/registry/types.ts`, so implementations pass registry values through.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import * as registry from "../../supabase/functions/_shared/registry/types.ts";
import * as maps from "../../graphql-v2/resolvers/enums.ts";
import type * as Service from "../../graphql-v2/services.ts";

describe("service contract ↔ registry vocabulary", () => {
  it("same values, and steps in the registry's order", () => {
    expect(Object.values(maps.ProvisioningStepName)).toEqual([...registry.PROVISIONING_STEPS]);
    expect(Object.values(maps.TenantStatus).sort()).toEqual([...registry.TENANT_STATUSES].sort());
    expect(Object.values(maps.StepState).sort()).toEqual([...registry.STEP_STATES].sort());
    expect(Object.values(maps.Strategy).sort()).toEqual([...registry.TENANT_STRATEGIES].sort());
    expect(Object.values(maps.Plan).sort()).toEqual([...registry.TENANT_PLANS].sort());
    expect(Object.values(maps.ComputeSize)).toEqual([...registry.COMPUTE_SIZES]);
    expect(Object.values(maps.OrganizationRole).sort()).toEqual([...registry.ORG_ROLES].sort());
    expect(Object.values(maps.HealthStatus).sort()).toEqual([...registry.HEALTH_STATUSES].sort());
  });

  it("same types", () => {
    expectTypeOf<Service.ProvisioningStepName>().toEqualTypeOf<registry.ProvisioningStep>();
    expectTypeOf<Service.TenantStatus>().toEqualTypeOf<registry.TenantStatus>();
    expectTypeOf<Service.StepState>().toEqualTypeOf<registry.StepState>();
    expectTypeOf<Service.Strategy>().toEqualTypeOf<registry.TenantStrategy>();
    expectTypeOf<Service.Plan>().toEqualTypeOf<registry.TenantPlan>();
    expectTypeOf<Service.ComputeSize>().toEqualTypeOf<registry.ComputeSize>();
    expectTypeOf<Service.OrganizationRole>().toEqualTypeOf<registry.OrgRole>();
    expectTypeOf<Service.HealthStatus>().toEqualTypeOf<registry.HealthStatus>();
  });
});
