/**
 * Test support for the GraphQL layer: an in-memory `TenantServices` (the thing under test is the
 * GraphQL layer, not the services), real ES256 access tokens from the run's local keys, and the
 * handler called in-process with `Request`s, as the edge runtime does.
 */
import { inject } from "vitest";
import { createAuthenticator } from "../../supabase/functions/_shared/auth.ts";
import { AppError } from "../../supabase/functions/_shared/errors.ts";
import { createLogger, type Logger } from "../../supabase/functions/_shared/log.ts";
import { userToken } from "../../local/supabase/keys.ts";
import { createGraphQLHandler, type GraphQLHandlerConfig } from "../../graphql-v2/server.ts";
import type {
  ConnectionInfoRecord, HealthCheckRecord, OrganizationRecord, OrganizationRole, ProvisionTenantRequest, ProvisioningStepName,
  ServiceCaller, TenantHealthRecord, TenantRecord, TenantServices, TenantStatus,
} from "../../graphql-v2/services.ts";

export const URL_BASE = "http://localhost/graphql-v2";

export const users = {
  owner: { id: "0b5d9f3e-1c2a-4e8f-9d7b-000000000001", email: "owner@example.com" },
  admin: { id: "0b5d9f3e-1c2a-4e8f-9d7b-000000000002", email: "admin@example.com" },
  member: { id: "0b5d9f3e-1c2a-4e8f-9d7b-000000000003", email: "member@example.com" },
  operator: { id: "0b5d9f3e-1c2a-4e8f-9d7b-000000000004", email: "operator@example.com" },
  outsider: { id: "0b5d9f3e-1c2a-4e8f-9d7b-000000000005", email: "outsider@example.com" },
} as const;
export type UserName = keyof typeof users;

export const orgs = {
  acme: { id: "6f1c2d3e-4b5a-4c6d-8e7f-00000000000a", name: "Acme" },
  globex: { id: "6f1c2d3e-4b5a-4c6d-8e7f-00000000000b", name: "Globex" },
  initech: { id: "6f1c2d3e-4b5a-4c6d-8e7f-00000000000c", name: "Initech" },
} as const;

const STEPS: ProvisioningStepName[] = [
  "claim", "create_database", "wait_for_operations", "store_credentials", "apply_migrations", "seed_data", "verify_endpoint", "first_health_check", "activate",
];

export function makeTenant(organizationId: string, organizationName: string, overrides: Partial<TenantRecord> = {}): TenantRecord {
  const createdAt = new Date("2026-11-20T10:00:00Z");
  return {
    id: crypto.randomUUID(),
    organizationId,
    organizationName,
    status: "active",
    plan: "starter",
    region: "aws-eu-central-1",
    computeSize: "s",
    strategy: "project",
    steps: STEPS.map((name, i) => ({
      name, state: "succeeded", attempts: 1, error: null,
      startedAt: new Date(createdAt.getTime() + i * 1000), finishedAt: new Date(createdAt.getTime() + i * 1000 + 500).toISOString(),
    })),
    healthStatus: "healthy",
    lastHealthCheckAt: new Date("2026-11-23T09:00:00Z"),
    lastError: null,
    createdAt,
    updatedAt: "2026-11-20T10:00:05.000Z",
    provisionedAt: new Date("2026-11-20T10:00:04Z"),
    ...overrides,
  };
}

type Method = keyof TenantServices;

/**
 * In-memory services with roughly the registry's rules: members see their organization's tenant;
 * owners/admins provision, retry and read connection info; owners deprovision; operators list all.
 * `calls` records every call (the batching tests count them); `failNext` makes a method throw.
 */
export class FakeServices implements TenantServices {
  calls: { method: Method; args: unknown[] }[] = [];
  members = new Map<string, Map<string, OrganizationRole>>(); // userId → orgId → role
  operators = new Set<string>([users.operator.id]);
  tenants = new Map<string, TenantRecord>(); // orgId → tenant
  idempotency = new Map<string, TenantRecord>();
  lastHealthCheck = new Map<string, number>();
  private failures = new Map<Method, unknown>();

  constructor() {
    this.addMember(users.owner.id, orgs.acme.id, "owner");
    this.addMember(users.admin.id, orgs.acme.id, "admin");
    this.addMember(users.member.id, orgs.acme.id, "member");
    this.addMember(users.owner.id, orgs.globex.id, "owner");
    this.addMember(users.owner.id, orgs.initech.id, "member");
    this.tenants.set(orgs.acme.id, makeTenant(orgs.acme.id, orgs.acme.name));
    this.tenants.set(orgs.globex.id, makeTenant(orgs.globex.id, orgs.globex.name, {
      status: "failed",
      healthStatus: "unknown",
      lastHealthCheckAt: null,
      provisionedAt: null,
      lastError: { code: "NEON_QUOTA_EXCEEDED", message: "The Neon project limit is reached." },
      steps: STEPS.map((name, i) => ({
        name, state: i < 3 ? "succeeded" : i === 3 ? "failed" : "pending", attempts: i === 3 ? 3 : i < 3 ? 1 : 0,
        error: i === 3 ? { code: "VAULT_UNAVAILABLE", message: "Vault did not answer." } : null,
        startedAt: i <= 3 ? "2026-11-21T08:00:00.000Z" : null, finishedAt: i <= 3 ? "2026-11-21T08:00:01.000Z" : null,
      })),
    }));
  }

  addMember(userId: string, orgId: string, role: OrganizationRole) {
    if (!this.members.has(userId)) this.members.set(userId, new Map());
    this.members.get(userId)!.set(orgId, role);
  }

  failNext(method: Method, error: unknown) {
    this.failures.set(method, error);
  }

  count(method: Method): number {
    return this.calls.filter((call) => call.method === method).length;
  }

  private record(method: Method, args: unknown[]) {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure !== undefined) {
      this.failures.delete(method);
      throw failure;
    }
  }

  private roleOf(caller: ServiceCaller, orgId: string): OrganizationRole | undefined {
    return this.members.get(caller.userId)?.get(orgId);
  }

  private requireRole(caller: ServiceCaller, orgId: string, allowed: OrganizationRole[]): void {
    const role = this.roleOf(caller, orgId);
    if (!role) throw new AppError("NOT_FOUND", "No such organization, or you are not a member of it.");
    if (!allowed.includes(role)) throw new AppError("FORBIDDEN", `Only ${allowed.join(" or ")}s of this organization may do this.`);
  }

  private requireTenant(orgId: string): TenantRecord {
    const tenant = this.tenants.get(orgId);
    if (!tenant) throw new AppError("NOT_FOUND", "This organization has no tenant database yet.");
    return tenant;
  }

  async getTenant(caller: ServiceCaller, organizationId: string) {
    this.record("getTenant", [caller, organizationId]);
    return this.roleOf(caller, organizationId) ? this.tenants.get(organizationId) ?? null : null;
  }

  async getTenantsByOrgIds(caller: ServiceCaller, organizationIds: readonly string[]) {
    this.record("getTenantsByOrgIds", [caller, [...organizationIds]]);
    return organizationIds.filter((id) => this.roleOf(caller, id)).map((id) => this.tenants.get(id)).filter((t): t is TenantRecord => !!t);
  }

  async listTenants(caller: ServiceCaller, options: { status: TenantStatus | null; first: number; after: string | null }) {
    this.record("listTenants", [caller, options]);
    if (!this.operators.has(caller.userId)) throw new AppError("FORBIDDEN", "Only platform operators may list every tenant.");
    const all = [...this.tenants.values()].filter((t) => !options.status || t.status === options.status)
      .sort((a, b) => a.organizationName.localeCompare(b.organizationName));
    let start = 0;
    if (options.after !== null) {
      const index = all.findIndex((t) => Buffer.from(t.id).toString("base64url") === options.after);
      if (index < 0) throw new AppError("VALIDATION_FAILED", "after: not a cursor from this list.", { details: { field: "after" } });
      start = index + 1;
    }
    const page = all.slice(start, start + options.first);
    const edges = page.map((node) => ({ cursor: Buffer.from(node.id).toString("base64url"), node }));
    return { edges, hasNextPage: start + options.first < all.length, endCursor: edges.at(-1)?.cursor ?? null, totalCount: all.length };
  }

  private health(orgId: string, tenant: TenantRecord): TenantHealthRecord {
    const latest: HealthCheckRecord | null = tenant.lastHealthCheckAt === null ? null
      : { id: "11111111-2222-4333-8444-555555555555", status: tenant.healthStatus, checkedAt: tenant.lastHealthCheckAt, latencyMs: 12.5, error: null };
    return {
      organizationId: orgId,
      status: tenant.healthStatus,
      latest,
      trend: [
        { bucketStart: new Date("2026-11-23T07:00:00Z"), status: "degraded", checks: 12, failures: 1, avgLatencyMs: 40.25 },
        { bucketStart: "2026-11-23T08:00:00Z", status: "healthy", checks: 12, failures: 0, avgLatencyMs: null },
      ],
    };
  }

  async getHealth(caller: ServiceCaller, organizationId: string, options: { trendHours: number }) {
    this.record("getHealth", [caller, organizationId, options]);
    this.requireRole(caller, organizationId, ["owner", "admin", "member"]);
    return this.health(organizationId, this.requireTenant(organizationId));
  }

  async getConnectionInfo(caller: ServiceCaller, organizationId: string): Promise<ConnectionInfoRecord> {
    this.record("getConnectionInfo", [caller, organizationId]);
    this.requireRole(caller, organizationId, ["owner", "admin"]);
    const tenant = this.requireTenant(organizationId);
    if (tenant.status !== "active") throw new AppError("TENANT_NOT_ACTIVE", "The tenant database is not active yet.");
    const host = "ep-cool-darkness-123456.eu-central-1.aws.neon.tech";
    const pooledHost = "ep-cool-darkness-123456-pooler.eu-central-1.aws.neon.tech";
    return {
      organizationId, host, pooledHost, port: 5432, database: "neondb", role: "neondb_owner", sslMode: "require",
      directUri: `postgresql://neondb_owner:s3cret@${host}/neondb?sslmode=require`,
      pooledUri: `postgresql://neondb_owner:s3cret@${pooledHost}/neondb?sslmode=require`,
    };
  }

  async myOrganizations(caller: ServiceCaller): Promise<OrganizationRecord[]> {
    this.record("myOrganizations", [caller]);
    const mine = this.members.get(caller.userId) ?? new Map<string, OrganizationRole>();
    return Object.values(orgs).filter((org) => mine.has(org.id)).map((org) => ({ id: org.id, name: org.name, role: mine.get(org.id)! }));
  }

  async provisionTenant(caller: ServiceCaller, input: ProvisionTenantRequest, options: { idempotencyKey: string | null }) {
    this.record("provisionTenant", [caller, input, options]);
    this.requireRole(caller, input.organizationId, ["owner", "admin"]);
    if (options.idempotencyKey && this.idempotency.has(options.idempotencyKey)) {
      return { tenant: this.idempotency.get(options.idempotencyKey)!, created: false };
    }
    if (this.tenants.has(input.organizationId)) throw new AppError("CONFLICT", "This organization already has a tenant database.");
    if (input.region === "aws-mars-1") throw new AppError("VALIDATION_FAILED", "region: aws-mars-1 is not available to this organization.", { details: { field: "region" } });
    const org = Object.values(orgs).find((o) => o.id === input.organizationId)!;
    const tenant = makeTenant(org.id, org.name, {
      status: "pending", region: input.region, computeSize: input.computeSize ?? "s", plan: input.plan ?? "starter",
      strategy: input.strategy ?? "project", healthStatus: "unknown", lastHealthCheckAt: null, provisionedAt: null,
      steps: STEPS.map((name) => ({ name, state: "pending", attempts: 0, error: null, startedAt: null, finishedAt: null })),
    });
    this.tenants.set(org.id, tenant);
    if (options.idempotencyKey) this.idempotency.set(options.idempotencyKey, tenant);
    return { tenant, created: true };
  }

  async retryProvisioning(caller: ServiceCaller, organizationId: string, step: ProvisioningStepName | null) {
    this.record("retryProvisioning", [caller, organizationId, step]);
    this.requireRole(caller, organizationId, ["owner", "admin"]);
    const tenant = this.requireTenant(organizationId);
    if (tenant.status !== "failed") throw new AppError("CONFLICT", "Only a FAILED provisioning can be retried.");
    const from = step ?? tenant.steps.find((s) => s.state === "failed")?.name ?? "claim";
    const index = STEPS.indexOf(from);
    const retried: TenantRecord = {
      ...tenant, status: "provisioning", lastError: null,
      steps: tenant.steps.map((s, i) => (i < index ? s : i === index ? { ...s, state: "running", attempts: s.attempts + 1, error: null } : { ...s, state: "pending", error: null })),
    };
    this.tenants.set(organizationId, retried);
    return retried;
  }

  async checkHealth(caller: ServiceCaller, organizationId: string) {
    this.record("checkHealth", [caller, organizationId]);
    this.requireRole(caller, organizationId, ["owner", "admin", "member"]);
    const tenant = this.requireTenant(organizationId);
    const last = this.lastHealthCheck.get(organizationId);
    if (last !== undefined && Date.now() - last < 30_000) {
      throw new AppError("RATE_LIMITED", "A health check ran moments ago. Wait before checking again.", { retryAfterSeconds: 30 });
    }
    this.lastHealthCheck.set(organizationId, Date.now());
    const checked = { ...tenant, healthStatus: "healthy" as const, lastHealthCheckAt: new Date("2026-11-23T10:00:00Z") };
    this.tenants.set(organizationId, checked);
    return this.health(organizationId, checked);
  }

  async deprovision(caller: ServiceCaller, organizationId: string) {
    this.record("deprovision", [caller, organizationId]);
    this.requireRole(caller, organizationId, ["owner"]);
    const tenant = { ...this.requireTenant(organizationId), status: "deprovisioning" as const };
    this.tenants.set(organizationId, tenant);
    return tenant;
  }
}

export interface LogLine {
  level: string;
  message: string;
  requestId?: string;
  [key: string]: unknown;
}

function parseLogLine(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { level: "unparsable", message: line };
  }
}

export interface Harness {
  handler: (request: Request) => Promise<Response>;
  services: FakeServices;
  logs: LogLine[];
  logger: Logger;
  token(user: UserName): Promise<string>;
  /** POSTs `{ query, variables }` as `user` (anonymous when omitted). */
  post(query: string, variables?: Record<string, unknown>, options?: { as?: UserName; headers?: Record<string, string> }): Promise<GraphQLResponse>;
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  text: string;
  body: { data?: Record<string, any> | null; errors?: { message: string; path?: (string | number)[]; locations?: unknown; extensions: Record<string, any> }[] };
}

export async function toGraphQLResponse(response: Response): Promise<GraphQLResponse> {
  const text = await response.text();
  let body: GraphQLResponse["body"];
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Response is not JSON (status ${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, text, body };
}

export function createHarness(config: Partial<GraphQLHandlerConfig> = {}, services = new FakeServices()): Harness {
  const keys = inject("keys");
  const logs: LogLine[] = [];
  const logger = createLogger({ fn: "graphql-v2" }, (line) => logs.push(parseLogLine(line)), "debug");
  const authenticate = createAuthenticator({ jwks: keys.jwks as never, secretKeys: [keys.secretKey] });
  const handler = createGraphQLHandler({ services, authenticate, logger, config });
  const tokens = new Map<UserName, Promise<string>>();
  const token = (user: UserName) => {
    if (!tokens.has(user)) tokens.set(user, userToken(keys, users[user]));
    return tokens.get(user)!;
  };
  return {
    handler, services, logs, logger, token,
    async post(query, variables, options = {}) {
      const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
      if (options.as) headers.authorization = `Bearer ${await token(options.as)}`;
      const response = await handler(new Request(URL_BASE, { method: "POST", headers, body: JSON.stringify({ query, variables }) }));
      return toGraphQLResponse(response);
    },
  };
}

/** The one error of a response, asserting there is exactly one. */
export function onlyError(response: GraphQLResponse) {
  const errors = response.body.errors ?? [];
  if (errors.length !== 1) throw new Error(`expected one error, got ${errors.length}: ${response.text}`);
  return errors[0]!;
}
