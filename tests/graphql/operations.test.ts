/**
 * Every root field of the GraphQL API against the in-memory `TenantServices`: what each resolver
 * passes to the services (validated, registry vocabulary), what it returns (SDL enums, ISO
 * timestamps), how service failures surface (code, field, status), and that lists cost one
 * service call, not one per row.
 */
import { describe, expect, it } from "vitest";
import {
  CheckTenantHealthDocument, DeprovisionTenantDocument, MyOrganizationsDocument, ProvisionTenantDocument,
  RetryTenantProvisioningDocument, TenantConnectionInfoDocument, TenantDocument, TenantHealthDocument, TenantsDocument,
} from "../../graphql-v2/client/index.ts";
import { createHarness, onlyError, orgs, users } from "./support.ts";

const ACME = orgs.acme.id;
const GLOBEX = orgs.globex.id;
const INITECH = orgs.initech.id;

describe("Query.tenant", () => {
  it("returns the tenant with SDL enums, ISO timestamps, steps and progress", async () => {
    const h = createHarness();
    const response = await h.post(TenantDocument.toString(), { organizationId: GLOBEX }, { as: "owner" });
    expect(response.status).toBe(200);
    const tenant = response.body.data!.tenant;
    expect(tenant).toMatchObject({
      organizationId: GLOBEX, organizationName: "Globex", status: "FAILED", plan: "STARTER", region: "aws-eu-central-1",
      computeSize: "S", strategy: "PROJECT_PER_TENANT", healthStatus: "UNKNOWN", lastHealthCheckAt: null, provisionedAt: null,
      lastError: { code: "NEON_QUOTA_EXCEEDED", message: "The Neon project limit is reached." },
      createdAt: "2026-11-20T10:00:00.000Z", updatedAt: "2026-11-20T10:00:05.000Z", progress: expect.closeTo(3 / 9, 6),
    });
    expect(tenant.steps.map((s: { name: string; state: string }) => `${s.name}:${s.state}`)).toEqual([
      "CLAIM:SUCCEEDED", "CREATE_DATABASE:SUCCEEDED", "WAIT_FOR_OPERATIONS:SUCCEEDED", "STORE_CREDENTIALS:FAILED", "APPLY_MIGRATIONS:PENDING",
      "SEED_DATA:PENDING", "VERIFY_ENDPOINT:PENDING", "FIRST_HEALTH_CHECK:PENDING", "ACTIVATE:PENDING",
    ]);
    expect(tenant.steps[3]).toEqual({
      name: "STORE_CREDENTIALS", state: "FAILED", attempts: 3, error: { code: "VAULT_UNAVAILABLE", message: "Vault did not answer." },
      startedAt: "2026-11-21T08:00:00.000Z", finishedAt: "2026-11-21T08:00:01.000Z",
    });
    expect(h.services.calls).toEqual([{
      method: "getTenant",
      args: [expect.objectContaining({ role: "authenticated", userId: users.owner.id, requestId: response.headers.get("x-request-id") }), GLOBEX],
    }]);
  });

  it("is null for an organization without a tenant or one the caller cannot see", async () => {
    const h = createHarness();
    expect((await h.post(TenantDocument.toString(), { organizationId: INITECH }, { as: "owner" })).body).toEqual({ data: { tenant: null } });
    expect((await h.post(TenantDocument.toString(), { organizationId: ACME }, { as: "outsider" })).body).toEqual({ data: { tenant: null } });
  });

  it("refuses an organization id that is not a UUID → VALIDATION_FAILED field organizationId", async () => {
    const h = createHarness();
    const response = await h.post(TenantDocument.toString(), { organizationId: "acme" }, { as: "owner" });
    expect(response.status).toBe(400);
    expect(onlyError(response).extensions).toMatchObject({ code: "VALIDATION_FAILED", field: "organizationId" });
    expect(h.services.calls).toHaveLength(0);
  });
});

describe("Query.tenantHealth", () => {
  it("returns status, latest check and trend; trendHours defaults to 24", async () => {
    const h = createHarness();
    const response = await h.post(TenantHealthDocument.toString(), { organizationId: ACME }, { as: "member" });
    expect(response.body.data!.tenantHealth).toEqual({
      organizationId: ACME, status: "HEALTHY",
      latest: { id: "11111111-2222-4333-8444-555555555555", status: "HEALTHY", checkedAt: "2026-11-23T09:00:00.000Z", latencyMs: 12.5, error: null },
      trend: [
        { bucketStart: "2026-11-23T07:00:00.000Z", status: "DEGRADED", checks: 12, failures: 1, avgLatencyMs: 40.25 },
        { bucketStart: "2026-11-23T08:00:00.000Z", status: "HEALTHY", checks: 12, failures: 0, avgLatencyMs: null },
      ],
    });
    expect(h.services.calls[0]!.args[2]).toEqual({ trendHours: 24 });
    await h.post(TenantHealthDocument.toString(), { organizationId: ACME, trendHours: 168 }, { as: "member" });
    expect(h.services.calls[1]!.args[2]).toEqual({ trendHours: 168 });
  });

  it("trendHours out of range → VALIDATION_FAILED field trendHours", async () => {
    const h = createHarness();
    for (const trendHours of [0, 169]) {
      const response = await h.post(TenantHealthDocument.toString(), { organizationId: ACME, trendHours }, { as: "member" });
      expect(onlyError(response).extensions).toMatchObject({ code: "VALIDATION_FAILED", field: "trendHours" });
    }
  });

  it("a service NOT_FOUND → 404 NOT_FOUND", async () => {
    const h = createHarness();
    const response = await h.post(TenantHealthDocument.toString(), { organizationId: INITECH }, { as: "owner" });
    expect(response.status).toBe(404);
    expect(onlyError(response).extensions).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("Query.tenantConnectionInfo", () => {
  it("gives owners and admins the connection details, never cached", async () => {
    const h = createHarness();
    for (const as of ["owner", "admin"] as const) {
      const response = await h.post(TenantConnectionInfoDocument.toString(), { organizationId: ACME }, { as });
      expect(response.body.data!.tenantConnectionInfo).toMatchObject({
        organizationId: ACME, port: 5432, database: "neondb", role: "neondb_owner", sslMode: "REQUIRE",
        directUri: expect.stringMatching(/^postgresql:\/\/neondb_owner:[^@]+@ep-/), pooledUri: expect.stringContaining("-pooler."),
      });
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
    expect(h.logs.map((line) => JSON.stringify(line)).join("\n")).not.toContain("s3cret");
  });

  it("members → 403 FORBIDDEN; outsiders → 404 NOT_FOUND; not active → 409 TENANT_NOT_ACTIVE", async () => {
    const h = createHarness();
    const member = await h.post(TenantConnectionInfoDocument.toString(), { organizationId: ACME }, { as: "member" });
    expect([member.status, onlyError(member).extensions.code]).toEqual([403, "FORBIDDEN"]);
    expect(member.body.data).toBeNull();
    const outsider = await h.post(TenantConnectionInfoDocument.toString(), { organizationId: ACME }, { as: "outsider" });
    expect([outsider.status, onlyError(outsider).extensions.code]).toEqual([404, "NOT_FOUND"]);
    const failed = await h.post(TenantConnectionInfoDocument.toString(), { organizationId: GLOBEX }, { as: "owner" });
    expect([failed.status, onlyError(failed).extensions.code]).toEqual([409, "TENANT_NOT_ACTIVE"]);
  });
});

describe("Query.myOrganizations", () => {
  it("lists the caller's organizations with role and tenant, in two service calls however many rows", async () => {
    const h = createHarness();
    const response = await h.post(MyOrganizationsDocument.toString(), {}, { as: "owner" });
    expect(response.body.data!.myOrganizations).toEqual([
      { id: ACME, name: "Acme", role: "OWNER", tenant: { id: expect.any(String), status: "ACTIVE", healthStatus: "HEALTHY", progress: 1 } },
      { id: GLOBEX, name: "Globex", role: "OWNER", tenant: { id: expect.any(String), status: "FAILED", healthStatus: "UNKNOWN", progress: expect.closeTo(3 / 9, 6) } },
      { id: INITECH, name: "Initech", role: "MEMBER", tenant: null },
    ]);
    expect(h.services.calls.map((c) => c.method)).toEqual(["myOrganizations", "getTenantsByOrgIds"]);
    expect(h.services.calls[1]!.args[1]).toEqual([ACME, GLOBEX, INITECH]);
  });

  it("stays at two service calls for 40 organizations (no query per row)", async () => {
    const h = createHarness();
    const ids = Array.from({ length: 40 }, (_, i) => `6f1c2d3e-4b5a-4c6d-8e7f-${String(1000 + i).padStart(12, "0")}`);
    h.services.myOrganizations = async (caller) => {
      h.services.calls.push({ method: "myOrganizations", args: [caller] });
      return ids.map((id, i) => ({ id, name: `Org ${i}`, role: "member" as const }));
    };
    const response = await h.post("{ myOrganizations { id tenant { status } again: tenant { id } } }", {}, { as: "member" });
    expect(response.body.data!.myOrganizations).toHaveLength(40);
    expect(h.services.calls.map((c) => c.method)).toEqual(["myOrganizations", "getTenantsByOrgIds"]);
    expect(h.services.calls[1]!.args[1]).toHaveLength(40);
  });

  it("a failing batch fails each row's tenant, masked, without failing the list", async () => {
    const h = createHarness();
    h.services.failNext("getTenantsByOrgIds", new Error("pool exhausted"));
    const response = await h.post(MyOrganizationsDocument.toString(), {}, { as: "owner" });
    expect(response.body.data!.myOrganizations.map((o: { tenant: unknown }) => o.tenant)).toEqual([null, null, null]);
    expect(response.body.errors!.map((e) => e.extensions.code)).toEqual(["INTERNAL", "INTERNAL", "INTERNAL"]);
    expect(response.text).not.toContain("pool exhausted");
  });
});

describe("Query.tenants", () => {
  it("pages through every tenant for operators (one service call per page)", async () => {
    const h = createHarness();
    const first = await h.post(TenantsDocument.toString(), { first: 1 }, { as: "operator" });
    const page = first.body.data!.tenants;
    expect(page.edges).toHaveLength(1);
    expect(page.edges[0].node.organizationName).toBe("Acme");
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: page.edges[0].cursor });
    expect(page.totalCount).toBe(2);
    const second = await h.post(TenantsDocument.toString(), { first: 1, after: page.pageInfo.endCursor }, { as: "operator" });
    expect(second.body.data!.tenants.edges[0].node.organizationName).toBe("Globex");
    expect(second.body.data!.tenants.pageInfo.hasNextPage).toBe(false);
    expect(h.services.count("listTenants")).toBe(2);
    expect(h.services.calls[0]!.args[1]).toEqual({ status: null, first: 1, after: null });
  });

  it("filters by status (SDL enum → registry value); first defaults to 20", async () => {
    const h = createHarness();
    const response = await h.post(TenantsDocument.toString(), { status: "FAILED" }, { as: "operator" });
    expect(response.body.data!.tenants.edges.map((e: { node: { status: string } }) => e.node.status)).toEqual(["FAILED"]);
    expect(h.services.calls[0]!.args[1]).toEqual({ status: "failed", first: 20, after: null });
  });

  it("non-operators → 403 FORBIDDEN; bad first → VALIDATION_FAILED first; bad cursor → VALIDATION_FAILED after", async () => {
    const h = createHarness();
    const owner = await h.post(TenantsDocument.toString(), {}, { as: "owner" });
    expect([owner.status, onlyError(owner).extensions.code]).toEqual([403, "FORBIDDEN"]);
    for (const first of [0, 101]) {
      const response = await h.post(TenantsDocument.toString(), { first }, { as: "operator" });
      expect(onlyError(response).extensions).toMatchObject({ code: "VALIDATION_FAILED", field: "first" });
    }
    const cursor = await h.post(TenantsDocument.toString(), { after: "garbage" }, { as: "operator" });
    expect([cursor.status, onlyError(cursor).extensions.code, onlyError(cursor).extensions.field]).toEqual([400, "VALIDATION_FAILED", "after"]);
  });
});

describe("Mutation.provisionTenant", () => {
  const input = { organizationId: INITECH, region: "aws-us-east-2", computeSize: "L", plan: "PROFESSIONAL", strategy: "BRANCH_PER_TENANT" };

  it("requests a tenant with the registry's values and returns it PENDING", async () => {
    const h = createHarness();
    h.services.addMember(users.admin.id, INITECH, "admin");
    const response = await h.post(ProvisionTenantDocument.toString(), { input }, { as: "admin" });
    expect(response.status).toBe(200);
    expect(response.body.data!.provisionTenant).toMatchObject({
      created: true,
      tenant: { organizationId: INITECH, status: "PENDING", region: "aws-us-east-2", computeSize: "L", plan: "PROFESSIONAL", strategy: "BRANCH_PER_TENANT", progress: 0 },
    });
    expect(h.services.calls[0]!.args.slice(1)).toEqual([
      { organizationId: INITECH, region: "aws-us-east-2", computeSize: "l", plan: "professional", strategy: "branch" },
      { idempotencyKey: null },
    ]);
    expect(h.logs.some((line) => line.message === "tenant provisioning requested" && line.organizationId === INITECH)).toBe(true);
  });

  it("leaves optional choices to the service", async () => {
    const h = createHarness();
    h.services.addMember(users.admin.id, INITECH, "owner");
    await h.post(ProvisionTenantDocument.toString(), { input: { organizationId: INITECH, region: "aws-us-east-2" } }, { as: "admin" });
    expect(h.services.calls[0]!.args[1]).toEqual({ organizationId: INITECH, region: "aws-us-east-2" });
  });

  it("replays with the same idempotency key (input or header) instead of a conflict", async () => {
    const h = createHarness();
    h.services.addMember(users.admin.id, INITECH, "owner");
    const first = await h.post(ProvisionTenantDocument.toString(), { input: { ...input, idempotencyKey: "click-0001" } }, { as: "admin" });
    const again = await h.post(ProvisionTenantDocument.toString(), { input }, { as: "admin", headers: { "Idempotency-Key": "click-0001" } });
    expect(again.body.data!.provisionTenant.created).toBe(false);
    expect(again.body.data!.provisionTenant.tenant.id).toBe(first.body.data!.provisionTenant.tenant.id);
    expect(h.services.calls[1]!.args[2]).toEqual({ idempotencyKey: "click-0001" });
    const conflict = await h.post(ProvisionTenantDocument.toString(), { input }, { as: "admin" });
    expect([conflict.status, onlyError(conflict).extensions.code]).toEqual([409, "CONFLICT"]);
  });

  it("input checks → VALIDATION_FAILED naming the field", async () => {
    const h = createHarness();
    const cases: [Record<string, unknown>, Record<string, string>, string][] = [
      [{ ...input, region: "mars" }, {}, "input.region"],
      [{ ...input, organizationId: "initech" }, {}, "input.organizationId"],
      [{ ...input, idempotencyKey: "short" }, {}, "input.idempotencyKey"],
      [input, { "Idempotency-Key": "bad key!" }, "Idempotency-Key"],
      [{ ...input, idempotencyKey: "click-0001" }, { "Idempotency-Key": "click-0002" }, "input.idempotencyKey"],
    ];
    for (const [value, headers, field] of cases) {
      const response = await h.post(ProvisionTenantDocument.toString(), { input: value }, { as: "owner", headers });
      expect([response.status, onlyError(response).extensions.code, onlyError(response).extensions.field]).toEqual([400, "VALIDATION_FAILED", field]);
    }
    expect(h.services.calls).toHaveLength(0);
  });

  it("service refusals keep their code: FORBIDDEN, VALIDATION_FAILED from the service, PROVISIONING_FAILED, RATE_LIMITED", async () => {
    const h = createHarness();
    const member = await h.post(ProvisionTenantDocument.toString(), { input: { ...input, organizationId: ACME } }, { as: "member" });
    expect([member.status, onlyError(member).extensions.code]).toEqual([403, "FORBIDDEN"]);
    h.services.addMember(users.admin.id, INITECH, "owner");
    const region = await h.post(ProvisionTenantDocument.toString(), { input: { ...input, region: "aws-mars-1" } }, { as: "admin" });
    expect(onlyError(region).extensions).toMatchObject({ code: "VALIDATION_FAILED", field: "region" });
    const { AppError } = await import("../../supabase/functions/_shared/errors.ts");
    h.services.failNext("provisionTenant", new AppError("PROVISIONING_FAILED", "Neon refused the project: quota reached. Contact support.", { details: { step: "create_database" } }));
    const failed = await h.post(ProvisionTenantDocument.toString(), { input }, { as: "admin" });
    expect(failed.status).toBe(422);
    expect(onlyError(failed).extensions).toMatchObject({ code: "PROVISIONING_FAILED", details: { step: "create_database" } });
    expect(onlyError(failed).message).toBe("Neon refused the project: quota reached. Contact support.");
    h.services.failNext("provisionTenant", new AppError("RATE_LIMITED", "Too many requests.", { retryAfterSeconds: 12.2 }));
    const limited = await h.post(ProvisionTenantDocument.toString(), { input }, { as: "admin" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("13");
    expect(onlyError(limited).extensions).toMatchObject({ code: "RATE_LIMITED", retryAfterSeconds: 12.2 });
  });
});

describe("Mutation.retryTenantProvisioning", () => {
  it("restarts a failed provisioning from the failed step (or the given one)", async () => {
    const h = createHarness();
    const response = await h.post(RetryTenantProvisioningDocument.toString(), { organizationId: GLOBEX }, { as: "owner" });
    const tenant = response.body.data!.retryTenantProvisioning.tenant;
    expect(tenant.status).toBe("PROVISIONING");
    expect(tenant.steps[3]).toMatchObject({ name: "STORE_CREDENTIALS", state: "RUNNING", attempts: 4, error: null });
    expect(tenant.steps[2]).toMatchObject({ name: "WAIT_FOR_OPERATIONS", state: "SUCCEEDED" });
    expect(h.services.calls[0]!.args.slice(1)).toEqual([GLOBEX, null]);
    h.services.tenants.set(GLOBEX, { ...h.services.tenants.get(GLOBEX)!, status: "failed" });
    await h.post(RetryTenantProvisioningDocument.toString(), { organizationId: GLOBEX, step: "CREATE_DATABASE" }, { as: "owner" });
    expect(h.services.calls[1]!.args.slice(1)).toEqual([GLOBEX, "create_database"]);
  });

  it("not failed → 409 CONFLICT; members → 403 FORBIDDEN", async () => {
    const h = createHarness();
    const conflict = await h.post(RetryTenantProvisioningDocument.toString(), { organizationId: ACME }, { as: "owner" });
    expect([conflict.status, onlyError(conflict).extensions.code]).toEqual([409, "CONFLICT"]);
    const member = await h.post(RetryTenantProvisioningDocument.toString(), { organizationId: ACME }, { as: "member" });
    expect([member.status, onlyError(member).extensions.code]).toEqual([403, "FORBIDDEN"]);
  });
});

describe("Mutation.checkTenantHealth", () => {
  it("runs a check and returns the health; a second one right after → 429 RATE_LIMITED with Retry-After", async () => {
    const h = createHarness();
    const response = await h.post(CheckTenantHealthDocument.toString(), { organizationId: ACME }, { as: "member" });
    expect(response.body.data!.checkTenantHealth.health).toMatchObject({ organizationId: ACME, status: "HEALTHY", latest: { checkedAt: "2026-11-23T10:00:00.000Z" } });
    const again = await h.post(CheckTenantHealthDocument.toString(), { organizationId: ACME }, { as: "member" });
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).toBe("30");
    expect(onlyError(again).extensions).toMatchObject({ code: "RATE_LIMITED", retryAfterSeconds: 30 });
  });
});

describe("Mutation.deprovisionTenant", () => {
  it("needs the organization's name typed exactly, then deprovisions", async () => {
    const h = createHarness();
    const wrong = await h.post(DeprovisionTenantDocument.toString(), { organizationId: ACME, confirm: "acme" }, { as: "owner" });
    expect([wrong.status, onlyError(wrong).extensions.code, onlyError(wrong).extensions.field]).toEqual([400, "VALIDATION_FAILED", "confirm"]);
    expect(h.services.count("deprovision")).toBe(0);
    const empty = await h.post(DeprovisionTenantDocument.toString(), { organizationId: ACME, confirm: "  " }, { as: "owner" });
    expect(onlyError(empty).extensions.field).toBe("confirm");
    const done = await h.post(DeprovisionTenantDocument.toString(), { organizationId: ACME, confirm: "Acme" }, { as: "owner" });
    expect(done.body.data!.deprovisionTenant.tenant.status).toBe("DEPROVISIONING");
    expect(h.services.count("deprovision")).toBe(1);
  });

  it("admins → 403 FORBIDDEN; no tenant → 404 NOT_FOUND", async () => {
    const h = createHarness();
    const admin = await h.post(DeprovisionTenantDocument.toString(), { organizationId: ACME, confirm: "Acme" }, { as: "admin" });
    expect([admin.status, onlyError(admin).extensions.code]).toEqual([403, "FORBIDDEN"]);
    const none = await h.post(DeprovisionTenantDocument.toString(), { organizationId: INITECH, confirm: "Initech" }, { as: "owner" });
    expect([none.status, onlyError(none).extensions.code]).toEqual([404, "NOT_FOUND"]);
  });
});

describe("every operation needs a signed-in user", () => {
  const operations: [string, { toString(): string }, Record<string, unknown>][] = [
    ["tenant", TenantDocument, { organizationId: ACME }],
    ["tenantHealth", TenantHealthDocument, { organizationId: ACME }],
    ["tenantConnectionInfo", TenantConnectionInfoDocument, { organizationId: ACME }],
    ["myOrganizations", MyOrganizationsDocument, {}],
    ["tenants", TenantsDocument, {}],
    ["provisionTenant", ProvisionTenantDocument, { input: { organizationId: ACME, region: "aws-eu-central-1" } }],
    ["retryTenantProvisioning", RetryTenantProvisioningDocument, { organizationId: GLOBEX }],
    ["checkTenantHealth", CheckTenantHealthDocument, { organizationId: ACME }],
    ["deprovisionTenant", DeprovisionTenantDocument, { organizationId: ACME, confirm: "Acme" }],
  ];

  it.each(operations)("%s: anonymous → 401 UNAUTHENTICATED, no service call", async (field, document, variables) => {
    const h = createHarness();
    const response = await h.post(document.toString(), variables);
    expect(response.status).toBe(401);
    expect(onlyError(response)).toMatchObject({ path: [field], extensions: { code: "UNAUTHENTICATED" } });
    expect(h.services.calls).toHaveLength(0);
  });
});
