/**
 * Fault injection: seeded (reproducible) 423/429/500/503, added latency per
 * route, hung requests, lost responses, failing operations, unreachable
 * endpoints; set through options, `setFaults` or the admin route.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import postgres from "postgres";
import { neon, Pool } from "@neondatabase/serverless";
import type { Api } from "@neondatabase/api-client";
import type { FaultConfig } from "../../local/neon-emulator/index.ts";
import { apiClient, apiFailure, startTestEmulator, startTestPostgres, useEmulatorForServerlessDriver, waitForOperations, withUri, type TestEmulator, type TestServer } from "./setup.ts";

let server: TestServer;
let emulator: TestEmulator;
let api: Api<unknown>;

beforeAll(async () => {
  server = await startTestPostgres();
  emulator = await startTestEmulator(server, { operationDurationMs: 20, rateLimit: false });
  api = apiClient(emulator);
  useEmulatorForServerlessDriver(emulator);
}, 120_000);

afterAll(async () => {
  await emulator?.dispose();
  await server?.stop();
});

/** Statuses of `n` sequential getActiveRegions calls. */
async function statuses(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await api.getActiveRegions({}).then((r) => r.status, (e: { response?: { status: number } }) => e.response?.status ?? -1));
  return out;
}

/** Polls until none of the operations is scheduling or running; returns them. */
async function settled(projectId: string, ids: string[]) {
  for (;;) {
    const ops = await Promise.all(ids.map(async (id) => (await api.getProjectOperation(projectId, id)).data.operation));
    if (ops.every((op) => op.status !== "scheduling" && op.status !== "running")) return ops;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("fault injection", () => {
  it("injects 429/500/503 with the configured probabilities, reproducibly for a seed", async () => {
    const faults: FaultConfig = { seed: 42, errorRates: { 429: 0.2, 500: 0.1, 503: 0.1 } };
    await emulator.setFaults(faults);
    const first = await statuses(60);
    await emulator.setFaults(faults);
    const second = await statuses(60);
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500, 503]));
    await emulator.setFaults({ ...faults, seed: 7 });
    expect(await statuses(60)).not.toEqual(first);
    await emulator.setFaults({});
    expect(new Set(await statuses(10))).toEqual(new Set([200]));
  });

  it("injects 423 only where it makes sense (mutations), or where a route asks for it", async () => {
    await emulator.setFaults({ seed: 1, errorRates: { 423: 1 } });
    expect((await api.getActiveRegions({})).status).toBe(200);
    const locked = await apiFailure(api.createProject({ project: { name: "never-created" } }));
    expect(locked.status).toBe(423);
    expect(locked.data.message).toMatch(/running conflicting operations/);
    await emulator.setFaults({});
    expect((await api.listProjects({ search: "never-created" })).data.projects).toEqual([]);
    const counters = emulator.counters().api;
    expect(counters.injected.statuses["423"]).toBeGreaterThanOrEqual(1);
  });

  it("adds latency per route", async () => {
    await emulator.setFaults({ routes: { getActiveRegions: { latencyMs: 400 } } });
    let t = Date.now();
    await api.getActiveRegions({});
    expect(Date.now() - t).toBeGreaterThanOrEqual(395);
    t = Date.now();
    await api.listProjects({});
    expect(Date.now() - t).toBeLessThan(395);
    expect(emulator.counters().api.injected.latencyMs).toBeGreaterThanOrEqual(400);
    await emulator.setFaults({});
  });

  it("hangs requests (the client times out) and loses responses after the effect", async () => {
    await emulator.setFaults({ routes: { getActiveRegions: { hangRate: 1 } } });
    const hung = await apiClient(emulator, emulator.apiKey, 200).getActiveRegions({}).then(() => "answered", (e: { code?: string }) => e.code);
    expect(["ECONNABORTED", "ETIMEDOUT"]).toContain(hung);
    expect(emulator.counters().api.injected.hung).toBe(1);

    // A lost response: the project exists although the client saw a failure (why POST retries need care).
    await emulator.setFaults({ routes: { createProject: { lostResponseRate: 1 } } });
    const lost = await api.createProject({ project: { name: "lost-response" } }).then(() => "answered", (e: { response?: unknown }) => (e.response ? "http error" : "network error"));
    expect(lost).toBe("network error");
    await emulator.setFaults({});
    expect((await api.listProjects({ search: "lost-response" })).data.projects).toHaveLength(1);
  });

  it("ends operations failed (or error) when asked", async () => {
    await emulator.setFaults({ operationFailureRate: 1 });
    const { data } = await api.createProject({ project: { name: "failing-ops" } });
    await emulator.setFaults({});
    await expect(waitForOperations(api, data.project.id, data.operations)).rejects.toThrow(/ended failed/);
    const ended = await settled(data.project.id, data.operations.map((o) => o.id));
    expect(ended).toEqual([
      expect.objectContaining({ action: "create_timeline", status: "failed", failures_count: 1, error: expect.any(String) }),
      expect.objectContaining({ action: "start_compute", status: "failed" }),
    ]);
    // A failed operation does not hold the project lock.
    await api.createProjectBranch(data.project.id, { branch: { name: "after-failure" } });

    await emulator.setFaults({ operationFailureRate: 1, operationFailureStatus: "error" });
    const { data: other } = await api.createProject({ project: { name: "erroring-ops" } });
    await emulator.setFaults({});
    await expect(waitForOperations(api, other.project.id, other.operations)).rejects.toThrow(/ended error/);
  });

  it("makes an endpoint unreachable: /sql, WebSocket and direct connections fail, and it reports a refusing port", async () => {
    const { data } = await api.createProject({ project: { name: "unhealthy" } });
    await waitForOperations(api, data.project.id, data.operations);
    const endpointId = data.endpoints[0]!.id;
    const uri = data.connection_uris[0]!.connection_uri;
    expect(await neon(uri)`select 1 as one`).toEqual([{ one: 1 }]);
    // A session open when the fault starts is cut, as when a compute dies.
    const open = postgres(uri, { max: 1 });
    await open`select 1`;

    await emulator.setFaults({ unreachableEndpoints: [endpointId] });
    await expect(open`select 1`).rejects.toThrow();
    await open.end({ timeout: 0 });
    await expect(neon(uri)`select 1`).rejects.toThrow(/HTTP status 500/);
    const pool = new Pool({ connectionString: uri, connectionTimeoutMillis: 3000 });
    await expect(pool.query("select 1")).rejects.toThrow();
    await pool.end().catch(() => {});
    await expect(withUri(uri, (sql) => sql`select 1`)).rejects.toThrow(/not currently accepting connections|does not allow connections/);
    const { data: ep } = await api.getProjectEndpoint(data.project.id, endpointId);
    const reported = (await api.getConnectionUri({ projectId: data.project.id, database_name: "neondb", role_name: "neondb_owner" })).data.uri;
    expect(ep.endpoint.host).not.toBe(data.endpoints[0]!.host);
    await expect(withUri(reported, (sql) => sql`select 1`)).rejects.toThrow(/ECONNREFUSED/);
    expect(emulator.counters().endpoints[endpointId]!.refused).toBeGreaterThanOrEqual(2);

    // Over the admin route, as a benchmark in another process would do it.
    const res = await fetch(`${emulator.origin}/admin/faults`, { method: "PUT", body: JSON.stringify({}) });
    expect(res.status).toBe(200);
    expect(await neon(uri)`select 1 as one`).toEqual([{ one: 1 }]);
    expect(await withUri(uri, (sql) => sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });

  it("accepts faults and clock moves over the admin routes", async () => {
    const put = await fetch(`${emulator.origin}/admin/faults`, { method: "PUT", body: JSON.stringify({ seed: 3, routes: { listProjects: { errorRates: { 503: 1 } } } }) });
    expect(await put.json()).toMatchObject({ seed: 3 });
    expect((await apiFailure(api.listProjects({}))).status).toBe(503);
    await fetch(`${emulator.origin}/admin/faults`, { method: "PUT", body: "{}" });
    const before = emulator.clock.now();
    const moved = await fetch(`${emulator.origin}/admin/clock`, { method: "POST", body: JSON.stringify({ advance_ms: 60_000 }) });
    expect(((await moved.json()) as { offset_ms: number }).offset_ms).toBeGreaterThanOrEqual(60_000);
    expect(emulator.clock.now() - before).toBeGreaterThanOrEqual(60_000);
  });
});
