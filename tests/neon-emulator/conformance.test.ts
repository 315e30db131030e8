/**
 * Conformance: every implemented route, driven through the official
 * `@neondatabase/api-client`, answers bodies that validate against the
 * shipped OpenAPI spec (ajv); requests the spec forbids, unknown resources
 * and unimplemented routes get Neon's GeneralError shape.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { AxiosResponse } from "axios";
import { EndpointType, type Api } from "@neondatabase/api-client";
import { IMPLEMENTED_OPERATIONS } from "../../local/neon-emulator/routes.ts";
import { assertConforms } from "./spec-validator.ts";
import { apiClient, apiFailure, startTestEmulator, startTestPostgres, type TestEmulator, type TestServer } from "./setup.ts";

let server: TestServer;
let emulator: TestEmulator;
let api: Api<unknown>;
const exercised = new Set<string>();

beforeAll(async () => {
  server = await startTestPostgres();
  emulator = await startTestEmulator(server, { operationDurationMs: 40 });
  api = apiClient(emulator);
}, 120_000);

afterAll(async () => {
  await emulator?.dispose();
  await server?.stop();
});

/** Awaits a client call, validates its body against the spec, records the route as covered. */
async function call<T>(operationId: string, request: Promise<AxiosResponse<T>>): Promise<T> {
  const response = await request;
  assertConforms(operationId, response.status, (response.data as unknown) === "" ? undefined : response.data);
  exercised.add(operationId);
  return response.data;
}

/** Expects a failure with `status`, validated as the operation's error response (GeneralError). */
async function failure(operationId: string, request: Promise<unknown>, status: number) {
  const { status: actual, data } = await apiFailure(request);
  expect(actual).toBe(status);
  assertConforms(operationId, actual, data);
  expect(typeof data.code).toBe("string");
  expect(data.message).toEqual(expect.any(String));
  expect(data.request_id).toEqual(expect.any(String));
  return data as { code: string; message: string; request_id: string };
}

async function settle(projectId: string, operations: Array<{ id: string }>) {
  for (const op of operations) {
    for (;;) {
      const { operation } = await call("getProjectOperation", api.getProjectOperation(projectId, op.id));
      if (operation.status === "finished") break;
      expect(["scheduling", "running"]).toContain(operation.status);
      await new Promise((r) => setTimeout(r, 15));
    }
  }
}

describe("Neon emulator conformance (official client, responses validated against the OpenAPI spec)", () => {
  it("serves every implemented route with spec-valid bodies", async () => {
    const { regions } = await call("getActiveRegions", api.getActiveRegions({}));
    expect(regions.some((r) => r.default)).toBe(true);

    // Exactly the body shape the product sends.
    const created = await call("createProject", api.createProject({
      project: {
        name: "conformance-tenant",
        region_id: "aws-eu-central-1",
        pg_version: 17,
        default_endpoint_settings: { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 2, suspend_timeout_seconds: 300 },
        branch: { name: "main", role_name: "app_owner", database_name: "app", annotations: { tenant: "t1" } },
      },
    }));
    const projectId = created.project.id;
    expect(projectId).toMatch(/^[a-z]+-[a-z]+-\d{6}$/);
    expect(created.branch.id).toMatch(/^br-[a-z]+-[a-z]+-[a-z0-9]{8}$/);
    expect(created.endpoints[0]!.id).toMatch(/^ep-[a-z]+-[a-z]+-[0-9a-f]{8}$/);
    expect(created.roles[0]).toMatchObject({ name: "app_owner", password: expect.stringMatching(/^npg_/) });
    expect(created.databases[0]).toMatchObject({ name: "app", owner_name: "app_owner" });
    expect(created.operations.map((o) => o.action)).toEqual(["create_timeline", "start_compute"]);
    expect(created.connection_uris[0]!.connection_uri).toMatch(/^postgresql:\/\/[^:]+:[^@]+@[^/]+:\d+\/[^?]+\?sslmode=require$/);
    expect(created.connection_uris[0]!.connection_parameters.pooler_host).toBeTruthy();
    expect(created.endpoints[0]).toMatchObject({ autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 2, suspend_timeout_seconds: 300, current_state: "init" });
    await settle(projectId, created.operations);

    await call("getProject", api.getProject(projectId));
    const ops = await call("listProjectOperations", api.listProjectOperations({ projectId, limit: 1 }));
    expect(ops.operations).toHaveLength(1);
    const nextOps = await call("listProjectOperations", api.listProjectOperations({ projectId, limit: 10, cursor: ops.pagination!.cursor }));
    expect(nextOps.operations.map((o) => o.id)).not.toContain(ops.operations[0]!.id);

    // Projects: search (substring of name or id), paging by cursor.
    const others = [];
    for (const name of ["conformance-other-a", "conformance-other-b"]) {
      others.push((await call("createProject", api.createProject({ project: { name } }))).project.id);
    }
    const bySearch = await call("listProjects", api.listProjects({ search: "formance-ten" }));
    expect(bySearch.projects.map((p) => p.id)).toEqual([projectId]);
    expect((await call("listProjects", api.listProjects({ search: projectId.slice(0, 8) }))).projects.map((p) => p.id)).toContain(projectId);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const pageData = await call("listProjects", api.listProjects({ limit: 1, search: "conformance", ...(cursor ? { cursor } : {}) }));
      seen.push(...pageData.projects.map((p) => p.id));
      if (pageData.projects.length < 1) break;
      cursor = pageData.pagination!.cursor;
    }
    expect(seen.sort()).toEqual([projectId, ...others].sort());

    // Branch with a read-write endpoint and annotations, as the product creates it.
    const branch = await call("createProjectBranch", api.createProjectBranch(projectId, {
      branch: { name: "tenant-branch", parent_id: created.branch.id },
      endpoints: [{ type: EndpointType.ReadWrite, autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 1, suspend_timeout_seconds: 120 }],
      annotation_value: { tenant_id: "t-42" },
    }));
    expect(branch.connection_uris).toHaveLength(1);
    expect(branch.endpoints[0]).toMatchObject({ branch_id: branch.branch.id, suspend_timeout_seconds: 120, autoscaling_limit_max_cu: 1 });
    await settle(projectId, branch.operations);
    const listed = await call("listProjectBranches", api.listProjectBranches({ projectId, search: "tenant-br" }));
    expect(listed.branches.map((b) => b.id)).toEqual([branch.branch.id]);
    expect(listed.annotations[branch.branch.id]!.value).toEqual({ tenant_id: "t-42" });
    const firstPage = await call("listProjectBranches", api.listProjectBranches({ projectId, limit: 1, sort_by: "name", sort_order: "asc" }));
    expect(firstPage.branches.map((b) => b.name)).toEqual(["main"]);
    const secondPage = await call("listProjectBranches", api.listProjectBranches({ projectId, limit: 1, sort_by: "name", sort_order: "asc", cursor: firstPage.pagination!.next! }));
    expect(secondPage.branches.map((b) => b.name)).toEqual(["tenant-branch"]);
    const got = await call("getProjectBranch", api.getProjectBranch(projectId, branch.branch.id));
    expect(got.branch.current_state).toBe("ready");
    expect(got.annotation.value).toEqual({ tenant_id: "t-42" });
    const branchEndpoints = await call("listProjectBranchEndpoints", api.listProjectBranchEndpoints(projectId, branch.branch.id));
    expect(branchEndpoints.endpoints.map((e) => e.id)).toEqual([branch.endpoints[0]!.id]);

    const { uri } = await call("getConnectionURI", api.getConnectionUri({ projectId, database_name: "app", role_name: "app_owner" }));
    expect(uri).toBe(created.connection_uris[0]!.connection_uri);
    const pooled = await call("getConnectionURI", api.getConnectionUri({ projectId, branch_id: branch.branch.id, database_name: "app", role_name: "app_owner", pooled: true }));
    expect(pooled.uri).toBe(branch.connection_uris![0]!.connection_uri);

    // Endpoints.
    const endpointId = created.endpoints[0]!.id;
    const endpoints = await call("listProjectEndpoints", api.listProjectEndpoints(projectId));
    expect(endpoints.endpoints).toHaveLength(2);
    await call("getProjectEndpoint", api.getProjectEndpoint(projectId, endpointId));
    const updated = await call("updateProjectEndpoint", api.updateProjectEndpoint(projectId, endpointId, {
      endpoint: { autoscaling_limit_min_cu: 0.5, autoscaling_limit_max_cu: 4, suspend_timeout_seconds: 600 },
    }));
    expect(updated.endpoint).toMatchObject({ autoscaling_limit_min_cu: 0.5, autoscaling_limit_max_cu: 4, suspend_timeout_seconds: 600 });
    await settle(projectId, updated.operations);
    const suspended = await call("suspendProjectEndpoint", api.suspendProjectEndpoint(projectId, endpointId));
    expect(suspended.endpoint.current_state).toBe("idle");
    await settle(projectId, suspended.operations);
    const started = await call("startProjectEndpoint", api.startProjectEndpoint(projectId, endpointId));
    await settle(projectId, started.operations);
    expect((await call("getProjectEndpoint", api.getProjectEndpoint(projectId, endpointId))).endpoint.current_state).toBe("active");

    // Roles and databases.
    const role = await call("createProjectBranchRole", api.createProjectBranchRole(projectId, created.branch.id, { role: { name: "tenant_app" } }));
    expect(role.role.password).toMatch(/^npg_/);
    await settle(projectId, role.operations);
    const reset = await call("resetProjectBranchRolePassword", api.resetProjectBranchRolePassword(projectId, created.branch.id, "tenant_app"));
    expect(reset.role.password).not.toBe(role.role.password);
    await settle(projectId, reset.operations);
    const db = await call("createProjectBranchDatabase", api.createProjectBranchDatabase(projectId, created.branch.id, { database: { name: "analytics", owner_name: "tenant_app" } }));
    await settle(projectId, db.operations);
    const dbs = await call("listProjectBranchDatabases", api.listProjectBranchDatabases(projectId, created.branch.id));
    expect(dbs.databases.map((d) => d.name).sort()).toEqual(["analytics", "app"]);

    // Deletion: branch (then 204 once gone), project.
    const deleted = await call("deleteProjectBranch", api.deleteProjectBranch({ projectId, branchId: branch.branch.id }));
    expect(deleted.operations.map((o) => o.action)).toEqual(["suspend_compute", "delete_timeline"]);
    await settle(projectId, deleted.operations);
    const again = await api.deleteProjectBranch({ projectId, branchId: branch.branch.id });
    expect(again.status).toBe(204);
    assertConforms("deleteProjectBranch", 204, (again.data as unknown) === "" ? undefined : again.data);
    for (const id of [projectId, ...others]) await call("deleteProject", api.deleteProject(id));

    expect([...IMPLEMENTED_OPERATIONS].filter((op) => !exercised.has(op))).toEqual([]);
  });

  it("answers requests the spec forbids with 400 in Neon's error shape", async () => {
    const tooMany = await failure("listProjects", api.listProjects({ limit: 401 }), 400);
    expect(tooMany.message).toMatch(/limit/);
    await failure("createProject", api.createProject({ project: { pg_version: 99 } }), 400);
    await failure("createProject", api.createProject({ project: { name: "" } }), 400);
    await failure("createProject", api.createProject({} as never), 400);
    await failure("getProject", api.getProject("Not_A_Valid_Id"), 400);
    await failure("getConnectionURI", api.getConnectionUri({ projectId: "some-project-123456", database_name: "neondb" } as never), 400);
    await failure("createProjectBranch", api.createProjectBranch("some-project-123456", { endpoints: [{ type: "bogus" as EndpointType }] }), 400);
    await failure("updateProjectEndpoint", api.updateProjectEndpoint("some-project-123456", "ep-x", { endpoint: { suspend_timeout_seconds: 10_000_000 } }), 400);
    await failure("getProjectOperation", api.getProjectOperation("some-project-123456", "not-a-uuid"), 400);
  });

  it("answers unknown resources with 404, unauthenticated calls with 401, unimplemented routes with 501", async () => {
    const missing = await failure("getProject", api.getProject("no-such-project-000000"), 404);
    expect(missing.message).toMatch(/not found/);
    await failure("getProjectBranch", api.getProjectBranch("no-such-project-000000", "br-none"), 404);
    await failure("getProject", apiClient(emulator, null).getProject("no-such-project-000000"), 401);
    await failure("getProject", apiClient(emulator, "wrong-key").getProject("no-such-project-000000"), 401);
    const unimplemented = await failure("listProjectBranchRoles", api.listProjectBranchRoles("no-such-project-000000", "br-none"), 501);
    expect(unimplemented.message).toMatch(/not implemented/);
  });

  it("uses a validator that rejects what the spec rejects (sanity check of the check)", () => {
    expect(() => assertConforms("getProject", 200, { project: { id: "x" } })).toThrow(/must have required property/);
    expect(() => assertConforms("getProjectOperation", 200, { operation: { id: "not-a-uuid" } })).toThrow();
    expect(() => assertConforms("getProject", 404, { message: "x" })).toThrow(/code/);
    expect(() => assertConforms("getProject", 404, { code: "", message: "project not found" })).not.toThrow();
  });

  it("echoes X-Request-ID as request_id", async () => {
    const { data } = await apiFailure(api.getProject("no-such-project-000000", { headers: { "X-Request-ID": "req-123" } }));
    expect(data.request_id).toBe("req-123");
  });
});
