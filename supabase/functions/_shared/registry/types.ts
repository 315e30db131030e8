/**
 * The registry's vocabulary, mirroring the CHECK constraints of supabase/migrations/20261123*.
 * Change both together (a new value needs a migration).
 */
import type { Sql, Tx } from "../db.ts";

/** Anything that runs registry SQL: the `tx` from withCaller/asService (user work must use withCaller). */
export type Queryable = Sql | Tx;

export const ORG_ROLES = ["owner", "admin", "member"] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export const TENANT_STATUSES = ["pending", "provisioning", "active", "failed", "deprovisioning", "deleted", "suspended"] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** Provisioning steps, in the order they must run. */
export const PROVISIONING_STEPS = [
  "claim",
  "create_database",
  "wait_for_operations",
  "store_credentials",
  "apply_migrations",
  "seed_data",
  "verify_endpoint",
  "first_health_check",
  "activate",
] as const;
export type ProvisioningStep = (typeof PROVISIONING_STEPS)[number];

export const STEP_STATES = ["pending", "running", "succeeded", "failed", "skipped"] as const;
export type StepState = (typeof STEP_STATES)[number];

export const CREDENTIAL_KINDS = ["owner_direct", "owner_pooled", "app_direct", "app_pooled"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const TENANT_STRATEGIES = ["project", "branch"] as const;
export type TenantStrategy = (typeof TENANT_STRATEGIES)[number];

export const TENANT_PLANS = ["free", "starter", "professional", "enterprise"] as const;
export type TenantPlan = (typeof TENANT_PLANS)[number];

/** Named compute sizes; the engine maps them to Neon autoscaling limits (see the column comment). */
export const COMPUTE_SIZES = ["xs", "s", "m", "l", "xl"] as const;
export type ComputeSize = (typeof COMPUTE_SIZES)[number];

/** `idle`: the compute is scaled to zero and the checker chose not to wake it. */
export const HEALTH_STATUSES = ["unknown", "healthy", "degraded", "unhealthy", "idle"] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface StepEntry {
  state: StepState;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  error_code: string | null;
  error_message: string | null;
}

export type ProvisioningStatus = Partial<Record<ProvisioningStep, StepEntry>>;

/** Who/where, for the audit log. `entryPoint` names the calling function, e.g. `graphql-v2`. */
export interface AuditContext {
  entryPoint: string;
  requestId?: string | null;
}
