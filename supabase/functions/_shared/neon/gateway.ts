/**
 * The narrow interface the product uses to talk to Neon. Implemented over the official client by
 * `createNeonGateway` (http-gateway.ts); the provisioning engine, reconcile and health code depend
 * on this interface only.
 *
 * Every method retries what is safe to retry (423, 429, 503; 5xx/timeouts only where a repeat is
 * harmless) and otherwise throws `NeonApiError` / `NeonOperationError` (errors.ts). Results use
 * the official client's types, so nothing is lost in translation; secrets in results (role
 * passwords, connection URIs) are for the caller to put in Vault and must never be logged.
 */
import type { Branch, ConnectionDetails, Database, Endpoint, Operation, Project, ProjectListItem, Role } from "@neondatabase/api-client";
import type { OperationWaitOptions } from "./operations.ts";
import type { RegionList } from "./regions.ts";
import type { NeonCallCounts, NeonCallListener } from "./call-stats.ts";

export type { Branch, ConnectionDetails, Database, Endpoint, Operation, Project, ProjectListItem, Role };

/** Compute settings of one endpoint (see plans.ts for how plans choose them). */
export interface ComputeSettings {
  /** Autoscaling floor in CU (≥ 0.25). */
  minCu: number;
  /** Autoscaling ceiling in CU (≥ minCu, at most minCu + 8). */
  maxCu: number;
  /** Idle seconds before scale to zero: -1 never, 0 Neon's default (300), else 60..604800. */
  suspendTimeoutSeconds: number;
}

export type PgVersion = 14 | 15 | 16 | 17 | 18;

export interface CreateProjectInput {
  /** Deterministic per tenant (e.g. `tenant-<uuid>`), so a lost response can be reconciled by name. */
  name: string;
  regionId: string;
  /** @default 17 (Neon's default) */
  pgVersion?: PgVersion;
  compute: ComputeSettings;
  /** Point-in-time-restore window. */
  historyRetentionSeconds?: number;
  /** @default "main" */
  branchName?: string;
  /** @default "neondb" */
  databaseName?: string;
  /** The owner role. @default `${databaseName}_owner` */
  roleName?: string;
  /** Annotations on the default branch (e.g. `{ tenant_id }`), ≤ 50 keys. */
  annotations?: Record<string, string>;
}

export interface CreatedProject {
  project: Project;
  branch: Branch;
  endpoints: Endpoint[];
  /** Includes the owner role's password (only returned at creation). */
  roles: Role[];
  databases: Database[];
  operations: Operation[];
  /** Owner connection URIs (contain the password). */
  connectionUris: ConnectionDetails[];
}

export interface CreateBranchInput {
  /** Required: branch names are unique per project, which makes create-or-get possible. */
  name: string;
  /** Parent branch id; Neon's default branch when omitted. */
  parentId?: string;
  /** A read-write endpoint with these settings, or `null` for a branch without compute. */
  endpoint: ComputeSettings | null;
  annotations?: Record<string, string>;
  /** `schema-only` makes a new root branch with the parent's schema and no data. */
  initSource?: "parent-data" | "schema-only";
}

export interface BranchResult {
  branch: Branch;
  endpoints: Endpoint[];
  /** Empty when the branch already existed. */
  operations: Operation[];
  /** False when a branch with this name already existed (409) and was returned instead. */
  created: boolean;
}

export interface DeleteResult {
  /** False when Neon said it was already gone (404/204); after a retried timeout that may be our own earlier delete. */
  existed: boolean;
  operations: Operation[];
}

export interface ProjectPage {
  projects: ProjectListItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface ListProjectsQuery {
  cursor?: string;
  /** 1..400. @default 100 */
  limit?: number;
  /** Substring match on name or id (Neon semantics). */
  search?: string;
}

export interface ConnectionUriInput {
  projectId: string;
  /** The project's default branch when omitted. */
  branchId?: string;
  endpointId?: string;
  databaseName: string;
  roleName: string;
  /** Through Neon's PgBouncer (`-pooler` host): use for application traffic, not for migrations. */
  pooled: boolean;
}

export interface RolePassword {
  role: Role;
  /** The role's new password. Store it in Vault; never log it. */
  password: string;
  operations: Operation[];
}

export interface NeonGateway {
  /** Key the calls of this view are counted under (`countsFor`). */
  readonly tenantKey: string;

  /** Every project whose name is exactly `name` (names are not unique: more than one means duplicates). */
  findProjectByName(name: string): Promise<ProjectListItem[]>;
  /**
   * Creates a project. Not retried after an ambiguous failure: a `NeonApiError` with
   * `outcomeUnknown` means look it up with `findProjectByName` before creating again.
   */
  createProject(input: CreateProjectInput): Promise<CreatedProject>;
  /** Null when the project does not exist (or was deleted). */
  getProject(projectId: string): Promise<Project | null>;
  /** Deletes a project (recoverable for 7 days at Neon); 404 counts as already gone. */
  deleteProject(projectId: string): Promise<DeleteResult>;
  /** One page of the account's projects, for reconcile. */
  listProjects(query?: ListProjectsQuery): Promise<ProjectPage>;

  /** Create-or-get: a 409 (name taken) returns the existing branch with `created: false`. */
  createBranch(projectId: string, input: CreateBranchInput): Promise<BranchResult>;
  findBranchByName(projectId: string, name: string): Promise<Branch | null>;
  /** 204/404 count as already gone. */
  deleteBranch(projectId: string, branchId: string): Promise<DeleteResult>;

  /** Waits until every operation is `finished`/`skipped` (see operations.ts for the rules). */
  waitForOperations(projectId: string, operations: readonly (Operation | string)[], options?: OperationWaitOptions): Promise<Operation[]>;

  /** A connection URI including the role's password. */
  getConnectionUri(input: ConnectionUriInput): Promise<string>;
  /** Creates a login role with a generated password; 409 if it exists (then use resetRolePassword). */
  createRole(projectId: string, branchId: string, roleName: string): Promise<RolePassword>;
  /** Issues a new password for the role (the old one stops working once the operations finish). */
  resetRolePassword(projectId: string, branchId: string, roleName: string): Promise<RolePassword>;

  listEndpoints(projectId: string): Promise<Endpoint[]>;
  /** Null when the endpoint does not exist. */
  getEndpoint(projectId: string, endpointId: string): Promise<Endpoint | null>;
  updateEndpoint(projectId: string, endpointId: string, compute: Partial<ComputeSettings>): Promise<{ endpoint: Endpoint; operations: Operation[] }>;

  /** Regions available to our organization (cached; documented fallback when the API fails). */
  getActiveRegions(): Promise<RegionList>;
  /** Throws VALIDATION_FAILED (field `region`) when the region is not available. */
  validateRegion(regionId: string): Promise<void>;
}

/** The gateway as created: a view counted under `platform`, plus per-tenant views and counters. */
export interface NeonGatewayRoot extends NeonGateway {
  /** The same gateway (same client, rate budget, region cache), counting calls under `tenantKey`. */
  forTenant(tenantKey: string): NeonGateway;
  countsFor(tenantKey: string): NeonCallCounts;
  allCounts(): Map<string, NeonCallCounts>;
  /** Called once per HTTP attempt; returns an unsubscribe function. */
  onCall(listener: NeonCallListener): () => void;
}
