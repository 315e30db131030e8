/** What the provisioning engine is built from, and what each step gets. */
import type postgres from "postgres";
import type { Sql, Tx } from "../db.ts";
import type { Logger } from "../log.ts";
import type { NeonGateway, NeonGatewayRoot, Operation } from "../neon/index.ts";
import type { TenantSchemaBundle } from "../tenant-schema/index.ts";
import type { ComputeSize, CredentialKind, ProvisioningStatus, ProvisioningStep, TenantPlan, TenantStatus, TenantStrategy } from "../registry/types.ts";

export interface ProvisioningDeps {
  /** Registry client (SUPABASE_DB_URL); the engine acts through asService only. */
  sql: Sql;
  gateway: NeonGatewayRoot;
  /** A client for a tenant database URL (the engine ends it after each step). */
  connectTenant?: (url: string) => postgres.Sql;
  logger: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  newId?: () => string;
  random?: () => number;
  /** Prefix of worker ids (e.g. the function name). */
  workerPrefix?: string;
  /** @default 120 */
  leaseSeconds?: number;
  /** Tries per step within one run before the tenant is marked failed. @default 5 */
  maxAttempts?: number;
  /** First backoff between step tries; doubles, capped at `maxBackoffMs`. @default 1000 */
  baseBackoffMs?: number;
  /** @default 15000 */
  maxBackoffMs?: number;
  /**
   * Wait before the first operation poll. Neon's create operations take a second or two; polling
   * once after that instead of every 250 ms is what keeps a clean run at ≤ 4 API calls.
   * @default 1500
   */
  operationPollDelayMs?: number;
  /** @default 120000 */
  operationTimeoutMs?: number;
  /** Base URL of the tenant GraphQL endpoint (e.g. `${SUPABASE_URL}/functions/v1/graphql-v2`); null disables. */
  graphqlEndpointUrl?: string | null;
  /** The health checker's provisioning-time check (`checkNewTenantHealth` bound to its deps). */
  checkHealth: (tenantId: string) => Promise<{ status: string; latencyMs: number | null; errorCode: string | null }>;
  /** Tests only: pause after each recorded step so a crash can be injected at the boundary. @default 0 */
  pauseAfterStepMs?: number;
  /** @default tenantSchema (the bundled tenant-schema/) */
  schema?: TenantSchemaBundle;
}

export type ResolvedDeps = Required<Omit<ProvisioningDeps, "graphqlEndpointUrl">> & { graphqlEndpointUrl: string | null };

/** The tenant row as the engine needs it (service_role reads every column). */
export interface TenantRow {
  id: string;
  organization_id: string;
  strategy: TenantStrategy;
  region: string;
  plan: TenantPlan;
  compute_size: ComputeSize;
  status: TenantStatus;
  provisioning_status: ProvisioningStatus;
  neon_project_id: string | null;
  neon_branch_id: string | null;
  neon_endpoint_id: string | null;
  neon_database_name: string | null;
  owner_direct_secret_id: string | null;
  owner_pooled_secret_id: string | null;
  app_direct_secret_id: string | null;
  app_pooled_secret_id: string | null;
  connection_info: Partial<Record<CredentialKind, { user: string; host: string; port: number; database: string; sslmode: string | null }>>;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** What one run keeps in memory between steps. Lost on a crash: every step can do without it. */
export interface RunMemory {
  /** Operations of the create call, to wait for. */
  operations?: Operation[];
  /** Owner connection URI from the create response (carries the password Neon returns once). */
  ownerUri?: string;
  poolerHost?: string;
}

export interface Timing {
  neonMs: number;
  tenantSqlMs: number;
}

export interface StepContext {
  deps: ResolvedDeps;
  tenant: TenantRow;
  /** Neon calls of this tenant are counted under its id. */
  neon: NeonGateway;
  workerId: string;
  /** Attempts of this step so far, this one included (from provisioning_status, across crashes). */
  attempt: number;
  memory: RunMemory;
  timing: Timing;
  /** Service-role registry transaction. */
  registry<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs a Neon call, adding its time to `timing.neonMs`. */
  neonCall<T>(fn: () => Promise<T>): Promise<T>;
  /** Connects to the tenant database with a stored credential, runs `fn`, closes (time → tenantSqlMs). */
  withTenantDb<T>(kind: CredentialKind, fn: (sql: postgres.Sql) => Promise<T>): Promise<T>;
}

/** A step returns details for its `succeeded` event (never secrets). */
export type StepFn = (ctx: StepContext) => Promise<Record<string, unknown> | void>;

export type WorkStep = Exclude<ProvisioningStep, "claim" | "activate">;
