/**
 * The Neon gateway over the official client, against a local HTTP stand-in for Neon
 * (stub-server.ts) that scripts Neon's answers: 423/429/503/5xx, hung requests, 409 on branch
 * create, paging. Time is fake (instant sleeps, recorded), except the client's own request
 * timeout, which is real and short. The same gateway runs against the Neon emulator in the
 * provisioning engine's tests.
 */
import { describe, it, expect, beforeEach, afterEach } from "vitest";
import {
  createNeonGateway, createRateBudget, NEON_RATE_LIMITS, NeonApiError, NeonOperationError, neonErrorToAppError,
  type NeonCallEvent, type NeonGatewayOptions, type NeonGatewayRoot, type Operation,
} from "../../supabase/functions/_shared/neon/index.ts";
import { AppError } from "../../supabase/functions/_shared/errors.ts";
import { createLogger } from "../../supabase/functions/_shared/log.ts";
import { startNeonStub, type NeonStub } from "./stub-server.ts";
import { fakeTime, type FakeTime } from "./fake-time.ts";
import { LOCKED, NOT_FOUND, OWNER_PASSWORD, RATE_LIMITED, SERVER_ERROR, UNAVAILABLE, branch, createdProject, endpoint, operation, project } from "./fixtures.ts";

const API_KEY = "napi_test_secret_key_5d1e";
const COMPUTE = { minCu: 0.25, maxCu: 1, suspendTimeoutSeconds: 300 };

let stub: NeonStub;
let time: FakeTime;
let logLines: string[];

beforeEach(async () => {
  stub = await startNeonStub();
  time = fakeTime();
  logLines = [];
});
afterEach(() => stub.close());

function gateway(options: Partial<NeonGatewayOptions> = {}): NeonGatewayRoot {
  return createNeonGateway({
    apiKey: API_KEY,
    baseUrl: stub.baseUrl,
    timeoutMs: 200,
    budget: createRateBudget(NEON_RATE_LIMITS, time),
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0.5,
    logger: createLogger({}, (line) => logLines.push(line), "debug"),
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<NeonApiError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(NeonApiError);
  return error as NeonApiError;
}

const createInput = { name: "tenant-acme", regionId: "aws-eu-central-1", compute: COMPUTE };

describe("Neon gateway: retries", () => {
  it("retries 423 with growing, jittered backoff until the project is created, counting every attempt", async () => {
    stub.script("POST /projects", LOCKED, LOCKED, LOCKED, { status: 201, body: createdProject() });
    const gw = gateway();
    const events: NeonCallEvent[] = [];
    gw.onCall((e) => events.push(e));

    const created = await gw.forTenant("tenant-acme").createProject(createInput);

    expect(created.project.id).toBe("p-1");
    expect(created.roles[0]!.password).toBe(OWNER_PASSWORD);
    expect(created.operations.map((o) => o.id)).toEqual(["op-timeline", "op-compute"]);
    const sent = stub.requestsTo("POST /projects");
    expect(sent).toHaveLength(4);
    // Equal jitter with random = 0.5: 3/4 of 250, 500, 1000 ms.
    expect(time.sleeps).toEqual([188, 375, 750]);
    expect(events.map((e) => e.outcome)).toEqual(["locked", "locked", "locked", "ok"]);
    expect(gw.countsFor("tenant-acme")).toMatchObject({ requests: 4, retries: 3, locked: 3, failures: 0 });
    expect(gw.countsFor("platform").requests).toBe(0);
    // Every attempt authenticates and carries its own request id.
    expect(sent.every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
    expect(new Set(sent.map((r) => r.headers["x-request-id"])).size).toBe(4);
    expect(sent[0]!.body).toEqual({
      project: {
        name: "tenant-acme", region_id: "aws-eu-central-1", pg_version: 17, branch: {},
        default_endpoint_settings: { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 1, suspend_timeout_seconds: 300 },
      },
    });
  });

  it("gives up on a 423 that never clears with a retryable error mapped to UPSTREAM_UNAVAILABLE", async () => {
    stub.always("POST /projects/:project_id/branches", LOCKED);
    const gw = gateway({ retry: { maxAttempts: 4 } });
    const error = await failure(gw.createBranch("p-1", { name: "t1", endpoint: null }));
    expect(error).toMatchObject({ kind: "locked", status: 423, retryable: true, outcomeUnknown: false, attempts: 4 });
    expect(stub.requests).toHaveLength(4);
    expect(gw.countsFor("platform")).toMatchObject({ requests: 4, locked: 4, failures: 1 });
    const mapped = neonErrorToAppError(error) as AppError;
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped.code).toBe("UPSTREAM_UNAVAILABLE");
  });

  it("honours Retry-After on 429", async () => {
    stub.script("GET /projects/:project_id", { ...RATE_LIMITED, headers: { "retry-after": "3" } }, { status: 200, body: { project: project("p-1", "tenant-acme") } });
    const gw = gateway();
    expect((await gw.getProject("p-1"))?.name).toBe("tenant-acme");
    expect(time.sleeps).toEqual([3000]);
    expect(gw.countsFor("platform")).toMatchObject({ requests: 2, rateLimited: 1, retries: 1 });
  });

  it("backs off on 429 without Retry-After", async () => {
    stub.script("GET /projects/:project_id", RATE_LIMITED, RATE_LIMITED, { status: 200, body: { project: project("p-1", "x") } });
    await gateway().getProject("p-1");
    expect(time.sleeps).toEqual([188, 375]);
  });

  it("ends with RATE_LIMITED when Retry-After is longer than we are willing to wait", async () => {
    stub.always("GET /projects/:project_id", { ...RATE_LIMITED, headers: { "retry-after": "120" } });
    const error = await failure(gateway().getProject("p-1"));
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 120_000, retryable: true });
    const mapped = neonErrorToAppError(error) as AppError;
    expect(mapped).toMatchObject({ code: "RATE_LIMITED", retryAfterSeconds: 120 });
    expect(stub.requests).toHaveLength(1);
  });

  it("retries 503 even on POST /projects: Neon processed nothing", async () => {
    stub.script("POST /projects", UNAVAILABLE, { status: 201, body: createdProject() });
    const created = await gateway().createProject(createInput);
    expect(created.project.id).toBe("p-1");
    expect(stub.requests).toHaveLength(2);
  });

  it("does not repeat POST /projects after a 500: the outcome is unknown, so the caller reconciles by name", async () => {
    stub.always("POST /projects", SERVER_ERROR);
    const error = await failure(gateway().createProject(createInput));
    expect(error).toMatchObject({ kind: "server_error", status: 500, retryable: false, outcomeUnknown: true, route: "POST /projects" });
    expect(stub.requests).toHaveLength(1);
    expect(error.requestId).toBe(stub.requests[0]!.headers["x-request-id"]);
    expect((neonErrorToAppError(error) as AppError).code).toBe("UPSTREAM_UNAVAILABLE");
  });

  it("retries a GET after 500 a bounded number of times", async () => {
    stub.always("GET /projects/:project_id", SERVER_ERROR);
    const error = await failure(gateway({ retry: { maxAmbiguousRetries: 2 } }).getProject("p-1"));
    expect(error).toMatchObject({ kind: "server_error", retryable: true, outcomeUnknown: false, attempts: 3 });
    expect(stub.requests).toHaveLength(3);
  });

  it("does not repeat a POST /projects that timed out", async () => {
    stub.always("POST /projects", { status: 201, hang: true });
    const gw = gateway();
    const error = await failure(gw.createProject(createInput));
    expect(error).toMatchObject({ kind: "timeout", status: null, retryable: false, outcomeUnknown: true });
    expect(stub.requests).toHaveLength(1);
    expect(gw.countsFor("platform")).toMatchObject({ timeouts: 1, failures: 1 });
  });

  it("retries a GET that timed out", async () => {
    stub.script("GET /projects/:project_id", { status: 200, hang: true }, { status: 200, body: { project: project("p-1", "tenant-acme") } });
    const gw = gateway();
    expect((await gw.getProject("p-1"))?.id).toBe("p-1");
    expect(stub.requests).toHaveLength(2);
    expect(gw.countsFor("platform")).toMatchObject({ timeouts: 1, retries: 1, failures: 0 });
  });

  it("keeps the API key and passwords out of errors, events and logs", async () => {
    stub.script("POST /projects", LOCKED, { status: 201, body: createdProject() });
    stub.always("POST /projects/:project_id/branches", SERVER_ERROR);
    const gw = gateway();
    const events: NeonCallEvent[] = [];
    gw.onCall((e) => events.push(e));
    await gw.createProject(createInput);
    const error = await failure(gw.createBranch("p-1", { name: "t", endpoint: null }));
    const everything = JSON.stringify({ error, message: error.message, stack: error.stack, events, logLines });
    expect(logLines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(OWNER_PASSWORD);
    expect(error.cause).toBeUndefined();
  });
});

describe("Neon gateway: create-or-get, lookups and deletes", () => {
  it("createBranch answers a 409 with the existing branch (exact name, not a substring match)", async () => {
    stub.script("POST /projects/:project_id/branches", { status: 409, body: { code: "", message: "branch already exists" } });
    stub.script("GET /projects/:project_id/branches", { status: 200, body: { branches: [branch("br-9", "tenant-acme-2"), branch("br-2", "tenant-acme")], annotations: {}, pagination: {} } });
    stub.script("GET /projects/:project_id/branches/:branch_id/endpoints", { status: 200, body: { endpoints: [endpoint("ep-2", "br-2")] } });

    const result = await gateway().createBranch("p-1", { name: "tenant-acme", parentId: "br-template", endpoint: COMPUTE });

    expect(result).toMatchObject({ created: false, operations: [], branch: { id: "br-2" }, endpoints: [{ id: "ep-2" }] });
    expect(stub.requestsTo("GET /projects/:project_id/branches")[0]!.query.get("search")).toBe("tenant-acme");
    expect(stub.requestsTo("GET /projects/:project_id/branches/:branch_id/endpoints")[0]!.path).toBe("/projects/p-1/branches/br-2/endpoints");
  });

  it("createBranch sends the parent, a read-write endpoint and annotations", async () => {
    stub.script("POST /projects/:project_id/branches", { status: 201, body: { branch: branch("br-3", "t3"), endpoints: [endpoint("ep-3", "br-3")], operations: [operation("op-1", "running")] } });
    const result = await gateway().createBranch("p-1", { name: "t3", parentId: "br-template", endpoint: COMPUTE, annotations: { tenant_id: "t3" }, initSource: "parent-data" });
    expect(result.created).toBe(true);
    expect(stub.requests[0]!.body).toEqual({
      branch: { name: "t3", parent_id: "br-template", init_source: "parent-data" },
      endpoints: [{ type: "read_write", autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 1, suspend_timeout_seconds: 300 }],
      annotation_value: { tenant_id: "t3" },
    });
  });

  it("findProjectByName returns every exact match across pages and ignores substring matches", async () => {
    const page1 = Array.from({ length: 400 }, (_, i) => project(`p-${i}`, i === 7 ? "tenant-acme" : `tenant-acme-${i}`));
    stub.script("GET /projects",
      { status: 200, body: { projects: page1, pagination: { cursor: "c-400" } } },
      { status: 200, body: { projects: [project("p-dup", "tenant-acme"), project("p-x", "x-tenant-acme")], pagination: { cursor: "c-402" } } });

    const found = await gateway().findProjectByName("tenant-acme");

    expect(found.map((p) => p.id)).toEqual(["p-7", "p-dup"]);
    const [first, second] = stub.requestsTo("GET /projects");
    expect(first!.query.get("search")).toBe("tenant-acme");
    expect(first!.query.get("limit")).toBe("400");
    expect(second!.query.get("cursor")).toBe("c-400");
  });

  it("listProjects pages with a cursor for reconcile and passes the organization", async () => {
    stub.script("GET /projects", { status: 200, body: { projects: [project("p-1", "a"), project("p-2", "b")], pagination: { cursor: "c2" } } });
    stub.script("GET /projects", { status: 200, body: { projects: [project("p-3", "c")], pagination: { cursor: "c3" } } });
    const gw = gateway({ orgId: "org-1" });
    const first = await gw.listProjects({ limit: 2 });
    expect(first.nextCursor).toBe("c2");
    const second = await gw.listProjects({ limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ nextCursor: null, projects: [{ id: "p-3" }] });
    expect(stub.requests[0]!.query.get("org_id")).toBe("org-1");
  });

  it("deleteProject and getProject treat 404 as gone; deleteBranch treats 204 as gone", async () => {
    stub.script("DELETE /projects/:project_id", NOT_FOUND);
    stub.script("GET /projects/:project_id", NOT_FOUND);
    stub.script("DELETE /projects/:project_id/branches/:branch_id", { status: 204 });
    stub.script("DELETE /projects/:project_id/branches/:branch_id", { status: 200, body: { branch: branch("br-1", "t"), operations: [operation("op-d", "running")] } });
    const gw = gateway();
    expect(await gw.deleteProject("p-gone")).toEqual({ existed: false, operations: [] });
    expect(await gw.getProject("p-gone")).toBeNull();
    expect(await gw.deleteBranch("p-1", "br-gone")).toEqual({ existed: false, operations: [] });
    expect(await gw.deleteBranch("p-1", "br-1")).toMatchObject({ existed: true, operations: [{ id: "op-d" }] });
    expect(gw.countsFor("platform").failures).toBe(0);
  });

  it("getConnectionUri asks for the database, role, branch and pooling", async () => {
    stub.script("GET /projects/:project_id/connection_uri", { status: 200, body: { uri: "postgresql://app:pw@ep-1-pooler.x/neondb" } });
    const uri = await gateway().getConnectionUri({ projectId: "p-1", branchId: "br-1", databaseName: "neondb", roleName: "app", pooled: true });
    expect(uri).toBe("postgresql://app:pw@ep-1-pooler.x/neondb");
    const query = Object.fromEntries(stub.requests[0]!.query);
    expect(query).toEqual({ database_name: "neondb", role_name: "app", pooled: "true", branch_id: "br-1" });
  });

  it("createRole and resetRolePassword return the password with the operations", async () => {
    const role = (password: string) => ({ role: { branch_id: "br-1", name: "app", password, created_at: "", updated_at: "" }, operations: [operation("op-r", "running")] });
    stub.script("POST /projects/:project_id/branches/:branch_id/roles", { status: 201, body: role("first") });
    stub.script("POST /projects/:project_id/branches/:branch_id/roles/:role_name/reset_password", LOCKED, { status: 200, body: role("second") });
    const gw = gateway();
    expect(await gw.createRole("p-1", "br-1", "app")).toMatchObject({ password: "first", operations: [{ id: "op-r" }] });
    expect(stub.requests[0]!.body).toEqual({ role: { name: "app" } });
    expect((await gw.resetRolePassword("p-1", "br-1", "app")).password).toBe("second");
  });

  it("updateEndpoint sends only the given compute settings", async () => {
    stub.script("PATCH /projects/:project_id/endpoints/:endpoint_id", { status: 200, body: { endpoint: endpoint("ep-1", "br-1"), operations: [] } });
    await gateway().updateEndpoint("p-1", "ep-1", { maxCu: 2, suspendTimeoutSeconds: 600 });
    expect(stub.requests[0]!.body).toEqual({ endpoint: { autoscaling_limit_max_cu: 2, suspend_timeout_seconds: 600 } });
  });
});

describe("Neon gateway: waiting for operations", () => {
  it("polls several pending operations with one list call per poll, then a single get for the last one", async () => {
    stub.script("GET /projects/:project_id/operations", { status: 200, body: { operations: [operation("op-other", "running"), operation("op-2", "finished"), operation("op-1", "running")] } });
    stub.script("GET /projects/:project_id/operations/:operation_id", { status: 200, body: { operation: operation("op-1", "finished") } });
    const gw = gateway();
    const ops = [operation("op-1", "running"), operation("op-2", "scheduling"), operation("op-3", "finished")] as Operation[];

    const final = await gw.waitForOperations("p-1", ops);

    expect(final.map((o) => `${o.id}:${o.status}`)).toEqual(["op-1:finished", "op-2:finished", "op-3:finished"]);
    expect(stub.requests.map((r) => r.path)).toEqual(["/projects/p-1/operations", "/projects/p-1/operations/op-1"]);
    expect(time.sleeps).toEqual([250, 500]);
  });

  it("costs nothing when every operation has already finished or was skipped", async () => {
    await gateway().waitForOperations("p-1", [operation("a", "finished"), operation("b", "skipped")] as Operation[]);
    expect(stub.requests).toHaveLength(0);
  });

  it("fetches an operation the list page does not contain", async () => {
    stub.script("GET /projects/:project_id/operations", { status: 200, body: { operations: [operation("op-1", "finished")] } });
    stub.script("GET /projects/:project_id/operations/:operation_id", { status: 200, body: { operation: operation("op-old", "finished") } });
    await gateway().waitForOperations("p-1", ["op-1", "op-old"]);
    expect(stub.requests.map((r) => r.path)).toEqual(["/projects/p-1/operations", "/projects/p-1/operations/op-old"]);
  });

  it("fails at once when an operation ends in error or is cancelled", async () => {
    stub.script("GET /projects/:project_id/operations/:operation_id", { status: 200, body: { operation: operation("op-1", "error", { error: "compute failed to start" }) } });
    const error = await gateway().waitForOperations("p-1", ["op-1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NeonOperationError);
    expect(error).toMatchObject({ reason: "error", operationId: "op-1", retryable: false });
    expect((error as Error).message).toContain("compute failed to start");
    await expect(gateway().waitForOperations("p-1", [operation("op-2", "cancelled")] as Operation[])).rejects.toMatchObject({ reason: "cancelled" });
    expect((neonErrorToAppError(error) as AppError).code).toBe("PROVISIONING_FAILED");
  });

  it("gives a failed operation a bounded grace: it may recover, but not forever", async () => {
    stub.script("GET /projects/:project_id/operations/:operation_id",
      { status: 200, body: { operation: operation("op-1", "failed", { failures_count: 1 }) } },
      { status: 200, body: { operation: operation("op-1", "running", { failures_count: 1 }) } },
      { status: 200, body: { operation: operation("op-1", "finished", { failures_count: 1 }) } });
    await expect(gateway().waitForOperations("p-1", ["op-1"])).resolves.toHaveLength(1);

    stub.always("GET /projects/:project_id/operations/:operation_id", { status: 200, body: { operation: operation("op-2", "failed", { failures_count: 1 }) } });
    const error = await gateway().waitForOperations("p-1", ["op-2"], { failedGraceMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "failed", operationStatus: "failed", retryable: true });
  });

  it("stops waiting after the overall timeout, polling at most every maxDelayMs", async () => {
    stub.always("GET /projects/:project_id/operations/:operation_id", { status: 200, body: { operation: operation("op-1", "running") } });
    const error = await gateway().waitForOperations("p-1", ["op-1"], { timeoutMs: 10_000, maxDelayMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "timeout", operationStatus: "running" });
    expect(time.sleeps).toEqual([250, 500, 1000, 2000, 2000, 2000, 2000, 250]);
    expect(stub.requests).toHaveLength(8);
    expect((neonErrorToAppError(error) as AppError).code).toBe("UPSTREAM_UNAVAILABLE");
  });
});

describe("Neon gateway: regions and counters", () => {
  it("validates regions against the API's list, cached", async () => {
    stub.script("GET /regions", { status: 200, body: { regions: [
      { region_id: "aws-eu-central-1", name: "Frankfurt", default: true, geo_lat: "", geo_long: "" },
      { region_id: "aws-us-east-2", name: "Ohio", default: false, geo_lat: "", geo_long: "" },
    ] } });
    const gw = gateway();
    await gw.validateRegion("aws-eu-central-1");
    const error = await gw.forTenant("t").validateRegion("aws-sa-east-1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "VALIDATION_FAILED", details: { field: "region", allowed: ["aws-eu-central-1", "aws-us-east-2"] } });
    expect(await gw.getActiveRegions()).toEqual({ regionIds: ["aws-eu-central-1", "aws-us-east-2"], defaultRegionId: "aws-eu-central-1", source: "api" });
    expect(stub.requestsTo("GET /regions")).toHaveLength(1);
  });

  it("falls back to Neon's documented regions when the API fails", async () => {
    stub.always("GET /regions", SERVER_ERROR);
    const gw = gateway();
    await gw.validateRegion("aws-sa-east-1");
    expect((await gw.getActiveRegions()).source).toBe("fallback");
    await expect(gw.validateRegion("mars-1")).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("counts per tenant view and stops notifying after unsubscribe", async () => {
    stub.always("GET /projects/:project_id", { status: 200, body: { project: project("p-1", "x") } });
    const gw = gateway();
    const seen: string[] = [];
    const unsubscribe = gw.onCall((e) => seen.push(`${e.tenantKey} ${e.route} ${e.outcome}`));
    await gw.forTenant("a").getProject("p-1");
    await gw.forTenant("b").getProject("p-1");
    unsubscribe();
    await gw.forTenant("b").getProject("p-1");
    expect(seen).toEqual(["a GET /projects/{project_id} ok", "b GET /projects/{project_id} ok"]);
    expect(gw.countsFor("a").requests).toBe(1);
    expect(gw.countsFor("b").requests).toBe(2);
    expect([...gw.allCounts().keys()].sort()).toEqual(["a", "b"]);
  });
});
