/**
 * Neon semantics: operations and the per-project 423 lock, 409 on duplicate
 * branch names, the project quota, API keys, rate limits (429), endpoint
 * state with scale to zero and wakes, request counters. The emulator clock
 * is frozen and moved by hand, so nothing here sleeps for Neon's timeouts.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import postgres from "postgres";
import { neon, Pool } from "@neondatabase/serverless";
import type { Api } from "@neondatabase/api-client";
import { createClock } from "../../local/neon-emulator/index.ts";
import { MESSAGES } from "../../local/neon-emulator/errors.ts";
import { apiClient, apiFailure, startTestEmulator, startTestPostgres, useEmulatorForServerlessDriver, type TestEmulator, type TestServer } from "./setup.ts";

let server: TestServer;
const emulators: TestEmulator[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
}, 120_000);

afterAll(async () => {
  for (const e of emulators) await e.dispose();
  await server?.stop();
});

/** An emulator whose clock moves only when the test says so. */
async function frozenEmulator(options: Parameters<typeof startTestEmulator>[1] = {}): Promise<{ emulator: TestEmulator; api: Api<unknown> }> {
  const base = Date.now();
  const emulator = await startTestEmulator(server, { clock: createClock(() => base), ...options });
  emulators.push(emulator);
  return { emulator, api: apiClient(emulator) };
}

describe("operations and the per-project lock", () => {
  it("moves operations scheduling → running → finished and answers 423 to mutations meanwhile", async () => {
    const { emulator, api } = await frozenEmulator({ operationDurationMs: 1000, operationSchedulingShare: 0.2 });
    const { data: a } = await api.createProject({ project: { name: "lock-a" } });
    const status = async () => Promise.all(a.operations.map(async (op) => (await api.getProjectOperation(a.project.id, op.id)).data.operation.status));
    expect(a.operations.map((o) => o.status)).toEqual(["scheduling", "scheduling"]);

    const locked = await apiFailure(api.createProjectBranch(a.project.id, { branch: { name: "b1" } }));
    expect(locked.status).toBe(423);
    expect(locked.data.message).toBe(MESSAGES.locked);
    // Reads are never locked, and the refused call scheduled nothing.
    expect((await api.listProjectBranches({ projectId: a.project.id })).data.branches.map((b) => b.name)).toEqual(["main"]);

    // The lock is per project.
    const { data: b } = await api.createProject({ project: { name: "lock-b" } });
    expect((await apiFailure(api.createProjectBranchRole(b.project.id, b.branch.id, { role: { name: "r" } }))).status).toBe(423);

    emulator.advanceClock(300);
    expect(await status()).toEqual(["running", "scheduling"]);
    emulator.advanceClock(800); // t = 1100: the second operation starts at 1000 and schedules until 1200
    expect(await status()).toEqual(["finished", "scheduling"]);
    emulator.advanceClock(200);
    expect(await status()).toEqual(["finished", "running"]);
    expect((await apiFailure(api.createProjectBranch(a.project.id, { branch: { name: "b1" } }))).status).toBe(423);
    emulator.advanceClock(800);
    expect(await status()).toEqual(["finished", "finished"]);
    const op = (await api.getProjectOperation(a.project.id, a.operations[1]!.id)).data.operation;
    expect(op.total_duration_ms).toBe(1000);

    const { data: branch } = await api.createProjectBranch(a.project.id, { branch: { name: "b1" } });
    expect(branch.branch.current_state).toBe("init");
    emulator.advanceClock(1000);
    expect((await api.getProjectBranch(a.project.id, branch.branch.id)).data.branch.current_state).toBe("ready");
  });

  it("answers 409 to a duplicate branch name, while project names may repeat", async () => {
    const { api } = await frozenEmulator({ operationDurationMs: 0 });
    const first = (await api.createProject({ project: { name: "same-name" } })).data.project.id;
    const second = (await api.createProject({ project: { name: "same-name" } })).data.project.id;
    expect(first).not.toBe(second);
    expect((await api.listProjects({ search: "same-name" })).data.projects).toHaveLength(2);

    await api.createProjectBranch(first, { branch: { name: "tenant-x" } });
    const dup = await apiFailure(api.createProjectBranch(first, { branch: { name: "tenant-x" } }));
    expect(dup.status).toBe(409);
    expect(dup.data).toMatchObject({ code: "", message: MESSAGES.branchExists });
    // Same name in another project is fine.
    await api.createProjectBranch(second, { branch: { name: "tenant-x" } });
  });

  it("answers 422 PROJECTS_LIMIT_EXCEEDED beyond the project quota", async () => {
    const { api } = await frozenEmulator({ operationDurationMs: 0, projectsLimit: 2 });
    await api.createProject({ project: { name: "q1" } });
    await api.createProject({ project: { name: "q2" } });
    const over = await apiFailure(api.createProject({ project: { name: "q3" } }));
    expect(over.status).toBe(422);
    expect(over.data).toMatchObject({ code: "PROJECTS_LIMIT_EXCEEDED", message: "user projects limit of 2 exceeded, got 2" });
  });

  it("requires a Bearer API key (401)", async () => {
    const { emulator } = await frozenEmulator();
    expect((await apiFailure(apiClient(emulator, null).getActiveRegions({}))).status).toBe(401);
    expect((await apiFailure(apiClient(emulator, "not-the-key").getActiveRegions({}))).status).toBe(401);
    const raw = await fetch(`${emulator.url}/regions`, { headers: { authorization: "Basic abc" } });
    expect(raw.status).toBe(401);
  });
});

describe("rate limits", () => {
  it("answers 429 beyond 40 requests per second on one route, per API key", async () => {
    const { emulator } = await frozenEmulator({ apiKeys: ["key-a", "key-b"] });
    const a = apiClient(emulator, "key-a");
    const b = apiClient(emulator, "key-b");
    for (let i = 0; i < 40; i++) await a.getActiveRegions({});
    const limited = await apiFailure(a.getActiveRegions({}));
    expect(limited.status).toBe(429);
    expect(limited.data).toMatchObject({ code: "", message: MESSAGES.rateLimited });
    // Another route and another key are not affected.
    await a.listProjects({});
    await b.getActiveRegions({});
    emulator.advanceClock(1001);
    await a.getActiveRegions({});
    expect(emulator.counters().api.rateLimited).toBe(1);
  });

  it("answers 429 beyond 700 requests per minute per API key", async () => {
    const { emulator, api } = await frozenEmulator();
    let sent = 0;
    while (sent < 700) {
      const batch = Math.min(40, 700 - sent);
      await Promise.all(Array.from({ length: batch }, () => api.getActiveRegions({})));
      sent += batch;
      emulator.advanceClock(1001); // stay under 40/s per route; 18 s in total, within the minute
    }
    expect((await apiFailure(api.listProjects({}))).status).toBe(429);
    emulator.advanceClock(60_000);
    await api.listProjects({});
  });
});

describe("endpoint state: scale to zero and wakes", () => {
  it("goes idle after suspend_timeout_seconds and wakes on SQL over HTTP, WebSocket and direct TCP", async () => {
    const { emulator, api } = await frozenEmulator({ operationDurationMs: 0 });
    useEmulatorForServerlessDriver(emulator);
    const { data } = await api.createProject({ project: { name: "idle", default_endpoint_settings: { suspend_timeout_seconds: 60 } } });
    const projectId = data.project.id;
    const endpointId = data.endpoints[0]!.id;
    const uri = data.connection_uris[0]!.connection_uri;
    const state = async () => (await api.getProjectEndpoint(projectId, endpointId)).data.endpoint.current_state;
    const counters = () => emulator.counters().endpoints[endpointId]!;

    expect(await state()).toBe("active");
    emulator.advanceClock(59_000);
    expect(await state()).toBe("active");
    emulator.advanceClock(1_000);
    expect(await state()).toBe("idle");

    // SQL over HTTP wakes it.
    expect(await neon(uri)`select 1 as one`).toEqual([{ one: 1 }]);
    expect(await state()).toBe("active");
    expect(counters()).toMatchObject({ wakes: 1, wakesBySource: { http: 1, ws: 0, direct: 0 } });
    // Another query while active is not a wake.
    await neon(uri)`select 2`;
    expect(counters().wakes).toBe(1);

    // WebSocket (Pool) wakes it.
    emulator.advanceClock(61_000);
    expect(await state()).toBe("idle");
    const pool = new Pool({ connectionString: uri });
    const client = await pool.connect();
    expect(await state()).toBe("active");
    emulator.advanceClock(120_000);
    expect(await state()).toBe("active"); // an open session keeps the compute up
    client.release();
    await pool.end();
    await new Promise((r) => setTimeout(r, 50));
    expect(counters().wakesBySource.ws).toBe(1);

    // A direct connection is seen by the pg_stat poll.
    emulator.advanceClock(61_000);
    expect(await state()).toBe("idle");
    const direct = postgres(uri, { max: 1 });
    await direct`select 1`;
    await emulator.pollActivity();
    expect(await state()).toBe("active");
    expect(counters()).toMatchObject({ observedBackends: 1, wakesBySource: { direct: 1 } });
    await direct.end();

    // Even a session that ended before the poll: pg_stat_database counts sessions.
    emulator.advanceClock(61_000);
    await emulator.pollActivity();
    expect(await state()).toBe("idle");
    const brief = postgres(uri, { max: 1 });
    await brief`select 1`;
    await brief.end();
    for (let i = 0; i < 50 && counters().wakesBySource.direct < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      await emulator.pollActivity();
    }
    expect(counters().wakesBySource.direct).toBe(2);
    expect(counters().wakes).toBe(4);
    expect(emulator.counters().sql.wakes).toBe(4);

    // An explicit suspend makes it idle at once; the next query wakes it again.
    await api.suspendProjectEndpoint(projectId, endpointId);
    expect(await state()).toBe("idle");
    await neon(uri)`select 1`;
    expect(await state()).toBe("active");
    expect(counters().wakes).toBe(5);
  });

  it("reports peak concurrent SQL connections through the emulator", async () => {
    const { emulator, api } = await frozenEmulator({ operationDurationMs: 0 });
    useEmulatorForServerlessDriver(emulator);
    const { data } = await api.createProject({ project: { name: "peak" } });
    const sql = neon(data.connection_uris[0]!.connection_uri);
    await Promise.all(Array.from({ length: 5 }, () => sql`select pg_sleep(0.5)`));
    const c = emulator.counters();
    expect(c.endpoints[data.endpoints[0]!.id]).toMatchObject({ peakConnections: 5, currentConnections: 0, sqlHttpRequests: 5 });
    expect(c.sql.peakConnections).toBeGreaterThanOrEqual(5);
  });
});

describe("counters", () => {
  it("counts Neon API calls per route, per API key and per project", async () => {
    const { emulator } = await frozenEmulator({ operationDurationMs: 0, apiKeys: [{ key: "k1", label: "bench" }, "k2"] });
    const api = apiClient(emulator, "k1");
    const { data } = await api.createProject({ project: { name: "counted" } });
    await api.getProject(data.project.id);
    await api.listProjectEndpoints(data.project.id);
    await apiClient(emulator, "k2").getActiveRegions({});
    await apiFailure(api.getProject("missing-project-000000"));
    const c = emulator.counters().api;
    expect(c.total).toBe(5);
    expect(c.byKey).toEqual({ bench: 4, "key-2": 1 });
    expect(c.byRoute).toMatchObject({ createProject: 1, getProject: 2, listProjectEndpoints: 1, getActiveRegions: 1 });
    expect(c.byProject[data.project.id]).toBe(3);
    expect(c.byProjectRoute[data.project.id]).toEqual({ createProject: 1, getProject: 1, listProjectEndpoints: 1 });
    expect(c.byStatus).toMatchObject({ "201": 1, "200": 3, "404": 1 });
    emulator.resetCounters();
    expect(emulator.counters().api.total).toBe(0);
    // Also over HTTP, for benchmarks in another process.
    const overHttp = (await (await fetch(`${emulator.origin}/admin/counters`)).json()) as { api: { total: number } };
    expect(overHttp.api.total).toBe(0);
  });
});
