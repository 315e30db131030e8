/**
 * SDL enum names → the registry's values (`services.ts`). The single source of the mapping:
 * the schema uses these maps at run time and `codegen.ts` feeds them to the resolver types.
 * The checks below fail the type check if a map misses an SDL value or a service value.
 */
import type * as Service from "../services.ts";

export const TenantStatus = {
  PENDING: "pending", PROVISIONING: "provisioning", ACTIVE: "active", FAILED: "failed",
  DEPROVISIONING: "deprovisioning", DELETED: "deleted", SUSPENDED: "suspended",
} as const;

export const Plan = { FREE: "free", STARTER: "starter", PROFESSIONAL: "professional", ENTERPRISE: "enterprise" } as const;

export const ComputeSize = { XS: "xs", S: "s", M: "m", L: "l", XL: "xl" } as const;

export const Strategy = { PROJECT_PER_TENANT: "project", BRANCH_PER_TENANT: "branch" } as const;

export const ProvisioningStepName = {
  CLAIM: "claim", CREATE_DATABASE: "create_database", WAIT_FOR_OPERATIONS: "wait_for_operations", STORE_CREDENTIALS: "store_credentials",
  APPLY_MIGRATIONS: "apply_migrations", SEED_DATA: "seed_data", VERIFY_ENDPOINT: "verify_endpoint", FIRST_HEALTH_CHECK: "first_health_check",
  ACTIVATE: "activate",
} as const;

export const StepState = { PENDING: "pending", RUNNING: "running", SUCCEEDED: "succeeded", FAILED: "failed", SKIPPED: "skipped" } as const;

export const HealthStatus = { HEALTHY: "healthy", DEGRADED: "degraded", UNHEALTHY: "unhealthy", IDLE: "idle", UNKNOWN: "unknown" } as const;

export const OrganizationRole = { OWNER: "owner", ADMIN: "admin", MEMBER: "member" } as const;

export const SslMode = { REQUIRE: "require", VERIFY_CA: "verify-ca", VERIFY_FULL: "verify-full" } as const;

type ValueOf<T> = T[keyof T];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<T extends true> = T;
/** Each map's values are exactly the service union (generated types check the SDL side). */
export type EnumMapsMatchServices = [
  Check<Same<ValueOf<typeof TenantStatus>, Service.TenantStatus>>,
  Check<Same<ValueOf<typeof Plan>, Service.Plan>>,
  Check<Same<ValueOf<typeof ComputeSize>, Service.ComputeSize>>,
  Check<Same<ValueOf<typeof Strategy>, Service.Strategy>>,
  Check<Same<ValueOf<typeof ProvisioningStepName>, Service.ProvisioningStepName>>,
  Check<Same<ValueOf<typeof StepState>, Service.StepState>>,
  Check<Same<ValueOf<typeof HealthStatus>, Service.HealthStatus>>,
  Check<Same<ValueOf<typeof OrganizationRole>, Service.OrganizationRole>>,
  Check<Same<ValueOf<typeof SslMode>, Service.SslMode>>,
];
