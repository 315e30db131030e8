/**
 * Tenant databases: status reads for members, requests for owners/admins, and the state machine the
 * provisioning engine drives (registry migrations 20261123000300–0500). Pass the `tx` of
 * withCaller (user requests: the database checks roles) or asService (engine, health checker).
 */
import type {
  AuditContext, ComputeSize, ProvisioningStatus, ProvisioningStep, Queryable, StepEntry, StepState, TenantPlan, TenantStatus, TenantStrategy, HealthStatus,
} from "./types.ts";

/** What members may read about their organization's tenant (the columns granted to `authenticated`). */
export interface TenantStatusView {
  id: string;
  organizationId: string;
  strategy: TenantStrategy;
  region: string;
  plan: TenantPlan;
  computeSize: ComputeSize;
  status: TenantStatus;
  statusReason: string | null;
  statusChangedAt: Date;
  provisioningStatus: ProvisioningStatus;
  currentStep: ProvisioningStep | null;
  provisioningAttempt: number;
  graphqlEndpointUrl: string | null;
  graphqlEndpointStatus: "pending" | "ready" | "failed" | "disabled";
  sslMode: "require" | "verify-ca" | "verify-full";
  sslStatus: "pending" | "verified" | "failed";
  healthStatus: HealthStatus;
  lastHealthCheckAt: Date | null;
  healthCheckRequestedAt: Date | null;
  createdAt: Date;
  activatedAt: Date | null;
}

interface TenantStatusRow {
  id: string; organization_id: string; strategy: TenantStrategy; region: string; plan: TenantPlan; compute_size: ComputeSize;
  status: TenantStatus; status_reason: string | null; status_changed_at: Date; provisioning_status: ProvisioningStatus;
  current_step: ProvisioningStep | null; provisioning_attempt: number; graphql_endpoint_url: string | null;
  graphql_endpoint_status: TenantStatusView["graphqlEndpointStatus"]; ssl_mode: TenantStatusView["sslMode"]; ssl_status: TenantStatusView["sslStatus"];
  health_status: HealthStatus; last_health_check_at: Date | null; health_check_requested_at: Date | null; created_at: Date; activated_at: Date | null;
}

function toStatusView(r: TenantStatusRow): TenantStatusView {
  return {
    id: r.id, organizationId: r.organization_id, strategy: r.strategy, region: r.region, plan: r.plan, computeSize: r.compute_size,
    status: r.status, statusReason: r.status_reason, statusChangedAt: r.status_changed_at, provisioningStatus: r.provisioning_status,
    currentStep: r.current_step, provisioningAttempt: r.provisioning_attempt, graphqlEndpointUrl: r.graphql_endpoint_url,
    graphqlEndpointStatus: r.graphql_endpoint_status, sslMode: r.ssl_mode, sslStatus: r.ssl_status, healthStatus: r.health_status,
    lastHealthCheckAt: r.last_health_check_at, healthCheckRequestedAt: r.health_check_requested_at, createdAt: r.created_at, activatedAt: r.activated_at,
  };
}

/** The organization's tenant that is not deleted, or null (also null when RLS hides it from the caller). */
export async function getTenantStatus(tx: Queryable, organizationId: string): Promise<TenantStatusView | null> {
  const [row] = await tx<TenantStatusRow[]>`
    select id, organization_id, strategy, region, plan, compute_size, status, status_reason, status_changed_at,
           provisioning_status, current_step, provisioning_attempt, graphql_endpoint_url, graphql_endpoint_status,
           ssl_mode, ssl_status, health_status, last_health_check_at, health_check_requested_at, created_at, activated_at
    from public.tenant_databases
    where organization_id = ${organizationId} and status <> 'deleted'`;
  return row ? toStatusView(row) : null;
}

export interface ProvisioningEvent {
  id: string;
  tenantId: string;
  occurredAt: Date;
  event: string;
  step: ProvisioningStep | null;
  stepState: StepState | null;
  attempt: number | null;
  fromStatus: TenantStatus | null;
  toStatus: TenantStatus | null;
  workerId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  details: Record<string, unknown>;
}

/** Progress log of a tenant, oldest first, after `afterId` (for polling). RLS: members only. */
export async function listProvisioningEvents(tx: Queryable, tenantId: string, options: { afterId?: string; limit?: number } = {}): Promise<ProvisioningEvent[]> {
  const rows = await tx<{
    id: string; tenant_id: string; occurred_at: Date; event: string; step: ProvisioningStep | null; step_state: StepState | null; attempt: number | null;
    from_status: TenantStatus | null; to_status: TenantStatus | null; worker_id: string | null; error_code: string | null; error_message: string | null;
    details: Record<string, unknown>;
  }[]>`
    select id, tenant_id, occurred_at, event, step, step_state, attempt, from_status, to_status, worker_id, error_code, error_message, details
    from public.provisioning_events
    where tenant_id = ${tenantId} and id > ${options.afterId ?? "0"}::bigint
    order by id
    limit ${Math.min(Math.max(options.limit ?? 100, 1), 1000)}`;
  return rows.map((r) => ({
    id: String(r.id), tenantId: r.tenant_id, occurredAt: r.occurred_at, event: r.event, step: r.step, stepState: r.step_state, attempt: r.attempt,
    fromStatus: r.from_status, toStatus: r.to_status, workerId: r.worker_id, errorCode: r.error_code, errorMessage: r.error_message, details: r.details,
  }));
}

export interface ProvisioningRequest {
  organizationId: string;
  region: string;
  /** Default: the organization's plan (users cannot pick another one). */
  plan?: TenantPlan | null;
  /** Default: the plan's size (free xs, starter s, professional m, enterprise l). */
  computeSize?: ComputeSize | null;
  strategy?: TenantStrategy;
  idempotencyKey?: string | null;
}

/** Owners/admins (or service) request the tenant; idempotent (`created: false` returns the existing one). */
export async function requestTenantProvisioning(tx: Queryable, input: ProvisioningRequest, audit: AuditContext): Promise<{ tenantId: string; status: TenantStatus; created: boolean }> {
  const [row] = await tx<{ tenant_id: string; status: TenantStatus; created: boolean }[]>`
    select tenant_id, status, created from public.request_tenant_provisioning(
      ${input.organizationId}, ${input.region}, ${input.plan ?? null}, ${input.computeSize ?? null}, ${input.strategy ?? "project"},
      ${input.idempotencyKey ?? null}, ${audit.entryPoint}, ${audit.requestId ?? null})`;
  return { tenantId: row!.tenant_id, status: row!.status, created: row!.created };
}

/**
 * Owners/admins (or service) re-queue a failed provisioning, optionally restarting from `fromStep`
 * (that step and every later one run again). `retried: false` when it was already pending or
 * provisioning (nothing done); CONFLICT for other statuses.
 */
export async function retryTenantProvisioning(
  tx: Queryable,
  organizationId: string,
  audit: AuditContext,
  fromStep: ProvisioningStep | null = null,
): Promise<{ tenantId: string; status: TenantStatus; retried: boolean }> {
  const [row] = await tx<{ tenant_id: string; status: TenantStatus; retried: boolean }[]>`
    select tenant_id, status, retried from public.retry_tenant_provisioning(${organizationId}, ${fromStep}, ${audit.entryPoint}, ${audit.requestId ?? null})`;
  return { tenantId: row!.tenant_id, status: row!.status, retried: row!.retried };
}

/** Owners (or service) ask for deletion of the tenant database (→ deprovisioning). */
export async function requestTenantDeprovisioning(tx: Queryable, organizationId: string, reason: string | null, audit: AuditContext): Promise<{ tenantId: string; status: TenantStatus }> {
  const [row] = await tx<{ tenant_id: string; status: TenantStatus }[]>`
    select tenant_id, status from public.request_tenant_deprovisioning(${organizationId}, ${reason}, ${audit.entryPoint}, ${audit.requestId ?? null})`;
  return { tenantId: row!.tenant_id, status: row!.status };
}

export interface ClaimResult {
  claimed: boolean;
  tenantId: string;
  organizationId: string;
  status: TenantStatus;
  attempt: number;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  /** True when an expired lease of another worker was taken over. */
  takenOver: boolean;
  provisioningStatus: ProvisioningStatus;
}

type ClaimRow = {
  claimed: boolean; tenant_id: string; organization_id: string; status: TenantStatus; attempt: number; lease_owner: string | null;
  lease_expires_at: Date | null; taken_over: boolean; provisioning_status: ProvisioningStatus;
};

function toClaim(r: ClaimRow): ClaimResult {
  return {
    claimed: r.claimed, tenantId: r.tenant_id, organizationId: r.organization_id, status: r.status, attempt: r.attempt, leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at, takenOver: r.taken_over, provisioningStatus: r.provisioning_status,
  };
}

/** Service: take or renew the lease on one tenant (`claimed: false` when another worker holds it). */
export async function claimTenantForProvisioning(tx: Queryable, input: { tenantId: string; workerId: string; leaseSeconds?: number }): Promise<ClaimResult> {
  const [row] = await tx<ClaimRow[]>`select * from public.claim_tenant_for_provisioning(${input.tenantId}, ${input.workerId}, ${input.leaseSeconds ?? 120})`;
  return toClaim(row!);
}

/** Service: claim the oldest tenant needing work (optionally in one region), or null when the queue is empty. */
export async function claimNextTenant(tx: Queryable, input: { workerId: string; leaseSeconds?: number; work?: "provision" | "deprovision"; region?: string | null }): Promise<ClaimResult | null> {
  const [row] = await tx<ClaimRow[]>`select * from public.claim_next_tenant(${input.workerId}, ${input.leaseSeconds ?? 120}, ${input.work ?? "provision"}, ${input.region ?? null})`;
  return row ? toClaim(row) : null;
}

/** Service: give the lease back (false when `workerId` was not the holder). */
export async function releaseTenantLease(tx: Queryable, tenantId: string, workerId: string): Promise<boolean> {
  const [row] = await tx<{ released: boolean }[]>`select public.release_tenant_lease(${tenantId}, ${workerId}) as released`;
  return row!.released;
}

export interface StepReport {
  tenantId: string;
  step: ProvisioningStep;
  state: Exclude<StepState, "pending">;
  /** Required for `failed`. */
  errorCode?: string | null;
  /** Redacted in the database as well; still, never pass a raw connection string. */
  errorMessage?: string | null;
  details?: Record<string, unknown>;
  /** The lease holder; when omitted, nobody may hold a live lease. */
  workerId?: string | null;
}

/** Service: record a step state (steps run in order; running → succeeded | failed). Returns the step entry. */
export async function recordProvisioningStep(tx: Queryable, report: StepReport): Promise<StepEntry> {
  const [row] = await tx<{ entry: StepEntry }[]>`
    select public.record_provisioning_step(${report.tenantId}, ${report.step}, ${report.state}, ${report.errorCode ?? null},
      ${report.errorMessage ?? null}, ${JSON.stringify(report.details ?? {})}::text::jsonb, ${report.workerId ?? null}) as entry`;
  return row!.entry;
}

/** Service: compare-and-set status move (CONFLICT when not in `from` or the move is not allowed). */
export async function transitionTenantStatus(
  tx: Queryable,
  input: { tenantId: string; from: TenantStatus; to: Exclude<TenantStatus, "provisioning">; reason?: string | null; workerId?: string | null },
  audit: AuditContext = { entryPoint: "provisioning-engine" },
): Promise<TenantStatus> {
  const [row] = await tx<{ status: TenantStatus }[]>`
    select public.transition_tenant_status(${input.tenantId}, ${input.from}, ${input.to}, ${input.reason ?? null}, ${input.workerId ?? null},
      ${audit.entryPoint}, ${audit.requestId ?? null}) as status`;
  return row!.status;
}

export interface TenantResourcesPatch {
  neon_project_id?: string | null;
  neon_branch_id?: string | null;
  neon_endpoint_id?: string | null;
  neon_database_name?: string | null;
  graphql_endpoint_url?: string | null;
  graphql_endpoint_status?: "pending" | "ready" | "failed" | "disabled";
  ssl_mode?: "require" | "verify-ca" | "verify-full";
  ssl_status?: "pending" | "verified" | "failed";
}

/** Service: set non-secret resource fields (Neon ids, GraphQL endpoint, TLS). */
export async function updateTenantResources(tx: Queryable, tenantId: string, patch: TenantResourcesPatch, workerId?: string | null): Promise<void> {
  await tx`select public.update_tenant_resources(${tenantId}, ${JSON.stringify(patch)}::text::jsonb, ${workerId ?? null})`;
}

export interface TenantConnectionState {
  tenantId: string;
  status: TenantStatus;
  credentialsVersion: number;
}

/**
 * Service: the cheap freshness probe the connection resolver runs on every `get` (one indexed row):
 * status and credentials_version of the organization's tenant that is not deleted.
 */
export async function getTenantConnectionState(tx: Queryable, organizationId: string): Promise<TenantConnectionState | null> {
  const [row] = await tx<{ id: string; status: TenantStatus; credentials_version: number }[]>`
    select id, status, credentials_version from public.tenant_databases
    where organization_id = ${organizationId} and status <> 'deleted'`;
  return row ? { tenantId: row.id, status: row.status, credentialsVersion: row.credentials_version } : null;
}
