/**
 * The contract between the GraphQL layer and the control plane. Resolvers call only these methods;
 * the registry/engine/health teams implement them (the same engine the edge functions call).
 *
 * Rules for implementations:
 * - Every registry read or write for a caller runs in one transaction as `authenticated` with the
 *   caller's claims — `readAsCaller` for reads, `withCaller` for writes — so RLS decides who sees what.
 *   Service-role work (`asService`) is explicit and narrow: engine state, Vault, health results.
 * - Expected failures throw `AppError` (`_shared/errors.ts`): NOT_FOUND, FORBIDDEN, CONFLICT,
 *   RATE_LIMITED (with `retryAfterSeconds`), PROVISIONING_FAILED, VALIDATION_FAILED (with
 *   `details.field`, e.g. `"region"`, `"after"`). Messages are shown to users: say what to do.
 *   Anything else is treated as a bug: masked as INTERNAL and logged with the request id.
 * - Values are plain records in the registry's own vocabulary (the lowercase unions below equal
 *   `_shared/registry/types.ts`, checked by tests/graphql/contract.test.ts); the GraphQL layer maps
 *   them to the SDL's enums and serialises timestamps.
 * - Lists are answered in one query: no query per row (`getTenantsByOrgIds`, `listTenants`).
 * - Arguments are already validated by the resolvers (ids are UUIDs, `first` is 1–100, …).
 */
import type { Caller } from "../supabase/functions/_shared/auth.ts";

/** A signed-in user: the only caller the GraphQL resolvers pass to the services. */
export type UserCaller = Extract<Caller, { role: "authenticated" }>;

/**
 * The caller as the services receive it: a signed-in user (pass it to `withCaller` as is) plus
 * the request id, for `audit_log.request_id` (entry point `graphql-v2`) and log lines.
 */
export type ServiceCaller = UserCaller & { requestId: string };

export type TenantStatus = "pending" | "provisioning" | "active" | "failed" | "deprovisioning" | "deleted" | "suspended";
export type Plan = "free" | "starter" | "professional" | "enterprise";
/** Engine maps to Neon autoscaling: xs 0.25 CU, s 0.25–1, m 0.5–2, l 1–4, xl 2–8. */
export type ComputeSize = "xs" | "s" | "m" | "l" | "xl";
export type Strategy = "project" | "branch";
/** Provisioning steps, in execution order (the keys of `tenant_databases.provisioning_status`). */
export type ProvisioningStepName =
  | "claim" | "create_database" | "wait_for_operations" | "store_credentials" | "apply_migrations"
  | "seed_data" | "verify_endpoint" | "first_health_check" | "activate";
export type StepState = "pending" | "running" | "succeeded" | "failed" | "skipped";
/** `idle`: a scaled-to-zero compute the checker chose not to wake. */
export type HealthStatus = "unknown" | "healthy" | "degraded" | "unhealthy" | "idle";
export type OrganizationRole = "owner" | "admin" | "member";
export type SslMode = "require" | "verify-ca" | "verify-full";

/** A `Date` or an ISO-8601 string (as found in jsonb); serialised as ISO-8601 UTC. */
export type Timestamp = Date | string;

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface ProvisioningStepRecord {
  name: ProvisioningStepName;
  state: StepState;
  attempts: number;
  error: ErrorInfo | null;
  startedAt: Timestamp | null;
  finishedAt: Timestamp | null;
}

export interface TenantRecord {
  id: string;
  organizationId: string;
  organizationName: string;
  status: TenantStatus;
  plan: Plan;
  region: string;
  computeSize: ComputeSize;
  strategy: Strategy;
  /** In execution order; every step of `ProvisioningStepName`, pending ones included. */
  steps: ProvisioningStepRecord[];
  healthStatus: HealthStatus;
  lastHealthCheckAt: Timestamp | null;
  lastError: ErrorInfo | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  provisionedAt: Timestamp | null;
}

export interface OrganizationRecord {
  id: string;
  name: string;
  /** The caller's role in it. */
  role: OrganizationRole;
}

export interface HealthCheckRecord {
  id: string;
  status: HealthStatus;
  checkedAt: Timestamp;
  latencyMs: number | null;
  error: ErrorInfo | null;
}

export interface HealthTrendPointRecord {
  bucketStart: Timestamp;
  status: HealthStatus;
  checks: number;
  failures: number;
  avgLatencyMs: number | null;
}

export interface TenantHealthRecord {
  organizationId: string;
  status: HealthStatus;
  latest: HealthCheckRecord | null;
  /** Oldest first, one point per hour that had checks. */
  trend: HealthTrendPointRecord[];
}

/** Contains the password (inside the URIs): never log it. */
export interface ConnectionInfoRecord {
  organizationId: string;
  host: string;
  pooledHost: string;
  port: number;
  database: string;
  role: string;
  sslMode: SslMode;
  directUri: string;
  pooledUri: string;
}

export interface ListTenantsOptions {
  status: TenantStatus | null;
  /** 1–100. */
  first: number;
  /** An `endCursor` from an earlier page; throw VALIDATION_FAILED `{ field: "after" }` if malformed. */
  after: string | null;
}

export interface TenantPage {
  /** Newest first; `cursor` is opaque to clients (e.g. base64url of `created_at,id`). */
  edges: { cursor: string; node: TenantRecord }[];
  hasNextPage: boolean;
  endCursor: string | null;
  /** Null when counting would cost another scan. */
  totalCount: number | null;
}

export interface ProvisionTenantRequest {
  organizationId: string;
  region: string;
  /** Omitted: the plan's default size. */
  computeSize?: ComputeSize;
  /** Omitted: the organization's plan. */
  plan?: Plan;
  /** Omitted: `project`. */
  strategy?: Strategy;
}

export interface ProvisionTenantResult {
  tenant: TenantRecord;
  /** False when `idempotencyKey` matched an earlier request and that request's tenant is returned. */
  created: boolean;
}

export interface TenantServices {
  /** The organization's tenant, or null if it has none or RLS hides it (not a member). */
  getTenant(caller: ServiceCaller, organizationId: string): Promise<TenantRecord | null>;

  /** Tenants of the given organizations that the caller may see, in any order, in one query. */
  getTenantsByOrgIds(caller: ServiceCaller, organizationIds: readonly string[]): Promise<TenantRecord[]>;

  /** Platform operators only (FORBIDDEN otherwise). One query for the page (+ one for the count). */
  listTenants(caller: ServiceCaller, options: ListTenantsOptions): Promise<TenantPage>;

  /** Latest check and the hourly trend of the last `trendHours` (1–168). NOT_FOUND without a tenant. */
  getHealth(caller: ServiceCaller, organizationId: string, options: { trendHours: number }): Promise<TenantHealthRecord>;

  /**
   * Owners and admins only (FORBIDDEN otherwise); NOT_FOUND without an ACTIVE tenant (or
   * TENANT_NOT_ACTIVE). Decrypts through the owner-gated registry function and writes `audit_log`.
   */
  getConnectionInfo(caller: ServiceCaller, organizationId: string): Promise<ConnectionInfoRecord>;

  /** Organizations the caller is a member of, with their role, in one query. */
  myOrganizations(caller: ServiceCaller): Promise<OrganizationRecord[]>;

  /**
   * Owners and admins. Records the request (`request_tenant_provisioning`) and starts the engine.
   * CONFLICT if the organization already has a tenant (unless the idempotency key matches).
   */
  provisionTenant(caller: ServiceCaller, input: ProvisionTenantRequest, options: { idempotencyKey: string | null }): Promise<ProvisionTenantResult>;

  /** Owners and admins; CONFLICT unless FAILED. Restarts from `step` (default: first failed step). */
  retryProvisioning(caller: ServiceCaller, organizationId: string, step: ProvisioningStepName | null): Promise<TenantRecord>;

  /** Owners and admins; runs a check now. RATE_LIMITED (with retryAfterSeconds) when asked too often. */
  checkHealth(caller: ServiceCaller, organizationId: string): Promise<TenantHealthRecord>;

  /** Owners only; starts deprovisioning and returns the tenant (status `deprovisioning`). */
  deprovision(caller: ServiceCaller, organizationId: string): Promise<TenantRecord>;
}
