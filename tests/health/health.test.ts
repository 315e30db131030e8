/**
 * Tenant health against the local Neon emulator: real tenant databases, the real serverless
 * driver over the emulator's `/sql`, the real registry. Covers the "done when": healthy,
 * slow (injected /sql latency) → degraded, unreachable → unhealthy with exactly one alert and one
 * webhook delivery, idle → idle without a wake; plus sweep continuation and permissions.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { asService, type Sql } from "../../supabase/functions/_shared/db.ts";
import { createAuthenticator } from "../../supabase/functions/_shared/auth.ts";
import { silentLogger } from "../../supabase/functions/_shared/log.ts";
import { createNeonGateway, type NeonGatewayRoot } from "../../supabase/functions/_shared/neon/index.ts";
import {
  DEFAULT_HEALTH_CONFIG, configureNeonDriver, createNeonSqlProbe, createWebhookSender, getTenantHealth, runSweep,
  type HealthConfig, type HealthDeps, type SqlProbe, type TenantHealthResult,
} from "../../supabase/functions/_shared/health/index.ts";
import { createCheckTenantHealthHandler } from "../../supabase/functions/_shared/handlers/check-tenant-health.ts";
import { userToken } from "../../local/supabase/keys.ts";
import { neon as neonDriver } from "@neondatabase/serverless";
import { tenantSchema } from "../../supabase/functions/_shared/tenant-schema/index.ts";
import { createWorld, provisionActiveTenant, registryClient, uniqueRegion, type OrgWorld } from "../registry/fixtures.ts";
import { startTestEmulator, startTestPostgres, type TestEmulator, type TestServer } from "../neon-emulator/setup.ts";

let server: TestServer;
let emulator: TestEmulator;
let sql: Sql;
let neon: NeonGatewayRoot;
let world: OrgWorld;
let receiver: Server;
let received: Array<{ alertId: string; kind: string; tenantId: string }> = [];
let webhookUrl = "";
const region = uniqueRegion();

interface Tenant { tenantId: string; orgId: string; projectId: string; endpointId: string }
const tenants: Record<"healthy" | "slow" | "broken" | "idle", Tenant> = {} as never;

async function createTenant(label: string, suspendTimeoutSeconds: number, orgId?: string): Promise<Tenant> {
  const created = await neon.createProject({ name: `health-${label}-${randomBytes(3).toString("hex")}`, regionId: "aws-us-east-2", compute: { minCu: 0.25, maxCu: 0.25, suspendTimeoutSeconds } });
  await neon.waitForOperations(created.project.id, created.operations);
  const organizationId = orgId ?? (await createWorld(sql, `health-${label}`)).org.id;
  const tenantId = await provisionActiveTenant(sql, organizationId, { app_direct: created.connectionUris[0]!.connection_uri }, undefined, region);
  const endpointId = created.endpoints[0]!.id;
  // A schema ledger at the latest version, so only the injected faults make a tenant unhealthy.
  const tenantSql = neonDriver(created.connectionUris[0]!.connection_uri);
  await tenantSql.query(`create table public.schema_migrations (version text primary key)`);
  await tenantSql.query(`insert into public.schema_migrations values ($1)`, [tenantSchema.latestVersion]);
  await sql`update public.tenant_databases set neon_project_id = ${created.project.id}, neon_endpoint_id = ${endpointId} where id = ${tenantId}`;
  return { tenantId, orgId: organizationId, projectId: created.project.id, endpointId };
}

function deps(overrides: Partial<HealthConfig> = {}, probe: SqlProbe = createNeonSqlProbe()): HealthDeps {
  const config: HealthConfig = { ...DEFAULT_HEALTH_CONFIG, sqlProbeIntervalSeconds: 0, alertWebhookUrl: webhookUrl, alertRetries: 2, ...overrides };
  return {
    sql, neon, probe, config, logger: silentLogger, latestSchemaVersion: undefined, connectionCache: new Map(),
    sendAlert: createWebhookSender({ url: webhookUrl, retries: 2, baseDelayMs: 10 }),
  };
}

async function sweepAll(d: HealthDeps): Promise<Map<string, TenantHealthResult>> {
  const results = new Map<string, TenantHealthResult>();
  for (let i = 0; i < 20; i++) {
    const s = await runSweep(d, { owner: `test-${i}`, region, onResult: (r) => results.set(r.tenantId, r) });
    if (s.passFinished) return results;
  }
  throw new Error("sweep did not finish");
}

beforeAll(async () => {
  server = await startTestPostgres();
  emulator = await startTestEmulator(server, { minSuspendTimeoutSeconds: 1, rateLimit: false });
  configureNeonDriver({ sqlHttpUrl: emulator.sqlHttpUrl, wsProxy: emulator.wsProxyHost });
  neon = createNeonGateway({ apiKey: emulator.apiKey, baseUrl: emulator.url });
  sql = registryClient(8);
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
  world = await createWorld(sql, "health-perm");
  tenants.healthy = await createTenant("healthy", -1, world.org.id);
  tenants.slow = await createTenant("slow", -1);
  tenants.broken = await createTenant("broken", -1);
  tenants.idle = await createTenant("idle", 1);
  await emulator.setFaults({ sqlLatencyMs: { [tenants.slow.endpointId]: 400 }, unreachableEndpoints: [tenants.broken.endpointId] });
  // Let the idle tenant's 1 s suspend timeout pass (and then some, for compute_last_active_at).
  for (let i = 0; i < 50 && emulator.counters().endpoints[tenants.idle.endpointId]?.state !== "idle"; i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1200));
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => receiver?.close(() => r()));
  await sql?.end();
  await emulator?.dispose();
  await server?.stop();
});

describe("tenant health sweep against the local Neon", () => {
  it("classifies healthy, slow → degraded, unreachable → unhealthy, idle → idle (not woken); alerts once", async () => {
    expect(emulator.counters().endpoints[tenants.idle.endpointId]?.state).toBe("idle");
    emulator.resetCounters();
    received = [];
    const d = deps();
    const first = await sweepAll(d);

    expect(first.get(tenants.healthy.tenantId)).toMatchObject({ status: "healthy", sqlProbed: true });
    expect(first.get(tenants.slow.tenantId)).toMatchObject({ status: "degraded", sqlProbed: true });
    expect(first.get(tenants.slow.tenantId)!.latencyMs).toBeGreaterThanOrEqual(400);
    expect(first.get(tenants.broken.tenantId)).toMatchObject({ status: "unhealthy", sqlProbed: true, alert: { kind: "unhealthy", delivered: true } });
    expect(first.get(tenants.idle.tenantId)).toMatchObject({ status: "idle", sqlProbed: false, alert: null });

    // The idle compute was never touched: no wake, no /sql request, still idle.
    const idleCounters = emulator.counters().endpoints[tenants.idle.endpointId]!;
    expect(idleCounters.wakes).toBe(0);
    expect(idleCounters.sqlHttpRequests).toBe(0);
    expect(idleCounters.state).toBe("idle");

    // Status stored on the tenant row and in the series.
    const rows = await sql<{ id: string; health_status: string }[]>`select id, health_status from public.tenant_databases where region = ${region}`;
    const byId = new Map(rows.map((r) => [r.id, r.health_status]));
    expect(byId.get(tenants.broken.tenantId)).toBe("unhealthy");
    expect(byId.get(tenants.idle.tenantId)).toBe("idle");

    // Second sweep: the statuses hold, so no new alert events and no new webhook posts.
    const second = await sweepAll(d);
    expect(second.get(tenants.broken.tenantId)).toMatchObject({ status: "unhealthy", alert: null });
    expect(second.get(tenants.slow.tenantId)).toMatchObject({ status: "degraded", alert: null });
    const brokenAlerts = await sql<{ kind: string; delivery_state: string }[]>`select kind, delivery_state from public.tenant_health_alerts where tenant_id = ${tenants.broken.tenantId}`;
    expect(brokenAlerts).toEqual([{ kind: "unhealthy", delivery_state: "delivered" }]);
    expect(received.filter((a) => a.tenantId === tenants.broken.tenantId)).toHaveLength(1);
    expect(received.filter((a) => a.tenantId === tenants.slow.tenantId).map((a) => a.kind)).toEqual(["degraded"]);

    // Neon API: one listProjects page covers every tenant of the sweep.
    const api = emulator.counters().api as unknown as { byRoute?: Record<string, number> };
    if (api.byRoute) expect(api.byRoute.listProjects ?? 0).toBeLessThanOrEqual(2);
  });

  it("recovers: an unreachable tenant that answers again gets one `recovered` alert", async () => {
    await emulator.setFaults({ sqlLatencyMs: { [tenants.slow.endpointId]: 400 } });
    received = [];
    const results = await sweepAll(deps());
    expect(results.get(tenants.broken.tenantId)).toMatchObject({ status: "healthy", alert: { kind: "recovered" } });
    expect(received.filter((a) => a.tenantId === tenants.broken.tenantId).map((a) => a.kind)).toEqual(["recovered"]);
  });

  it("reuses a recent successful probe instead of keeping the compute awake", async () => {
    const results = await sweepAll(deps({ sqlProbeIntervalSeconds: 3600 }));
    expect(results.get(tenants.healthy.tenantId)).toMatchObject({ status: "healthy", sqlProbed: false });
  });

  it("continues a sweep that runs out of time in the next invocation, without repeats", async () => {
    const slowProbe: SqlProbe = async () => {
      await new Promise((r) => setTimeout(r, 300));
      return { ok: true, latencyMs: 1, connectionsUsed: 1, connectionsAllowed: 100, databaseBytes: 1, schemaVersion: tenantSchema.latestVersion };
    };
    const d = deps({ concurrency: 1, budgetMs: 1_000, probeTimeoutMs: 5_000 }, slowProbe);
    const seen: string[] = [];
    let steps = 0;
    for (;;) {
      const s = await runSweep(d, { owner: `cont-${steps}`, region, onResult: (r) => seen.push(r.tenantId) });
      steps++;
      if (s.passFinished) break;
      expect(s.cursor).not.toBeNull();
      expect(steps).toBeLessThan(10);
    }
    expect(steps).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(new Set(Object.values(tenants).map((t) => t.tenantId)));
  });

  it("refuses a second sweep while one holds the lease", async () => {
    await asService(sql, (tx) => tx`select public.claim_health_sweep('holder', 60)`);
    const s = await runSweep(deps(), { owner: "intruder", region });
    expect(s.ran).toBe(false);
    await asService(sql, (tx) => tx`select public.release_health_sweep('holder', null, false)`);
  });

  it("rolls checks up per hour and serves latest + trend", async () => {
    const result = await asService(sql, (tx) => tx<{ r: Record<string, number> }[]>`select public.run_tenant_health_maintenance(interval '7 days', interval '90 days') as r`);
    expect(result[0]!.r.buckets).toBeGreaterThan(0);
    const view = await asService(sql, (tx) => getTenantHealth(tx, tenants.slow.orgId, { trendHours: 24 }));
    // The continuation test's stub probe made it healthy since; the hour keeps the worst status.
    expect(view?.latest?.status).toBe(view?.status);
    expect(view?.trend.at(-1)).toMatchObject({ status: "degraded", uptimePct: 100 });
    expect(view!.trend.at(-1)!.p95LatencyMs).toBeGreaterThanOrEqual(400);
    const broken = await asService(sql, (tx) => getTenantHealth(tx, tenants.broken.orgId, { trendHours: 24 }));
    expect(broken!.trend.at(-1)!.uptimePct).toBeLessThan(100);
  });
});

describe("check-tenant-health handler: who may do what", () => {
  const keys = () => inject("keys");
  const handler = () => createCheckTenantHealthHandler({
    health: deps(), logger: silentLogger,
    authenticate: createAuthenticator({ jwks: keys().jwks as never, secretKeys: [keys().secretKey] }),
  });
  const post = async (body: unknown, headers: Record<string, string>) => {
    const response = await handler()(new Request("http://local/check-tenant-health", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }));
    return { status: response.status, body: await response.json() as Record<string, any> };
  };
  const bearer = async (user: { id: string; email: string }) => ({ authorization: `Bearer ${await userToken(keys(), user)}` });

  it("lets owners and admins check their tenant", async () => {
    const owner = await post({ organizationId: world.org.id }, await bearer(world.owner));
    expect(owner.status).toBe(200);
    expect(owner.body.health).toMatchObject({ tenantId: tenants.healthy.tenantId, status: "healthy" });
    expect((await post({ organizationId: world.org.id }, await bearer(world.admin))).status).toBe(200);
  });

  it("refuses members, outsiders, anonymous callers, and users asking for a sweep", async () => {
    expect((await post({ organizationId: world.org.id }, await bearer(world.member))).body.error.code).toBe("FORBIDDEN");
    expect((await post({ organizationId: world.org.id }, await bearer(world.outsider))).body.error.code).toBe("FORBIDDEN");
    expect((await post({ organizationId: world.org.id }, {})).status).toBe(401);
    expect((await post({ mode: "sweep" }, await bearer(world.owner))).status).toBe(403);
    expect((await post({ tenantId: tenants.healthy.tenantId }, await bearer(world.owner))).status).toBe(403);
  });

  it("runs a sweep step for the secret key (the cron) and a by-id check for the service", async () => {
    const byId = await post({ tenantId: tenants.idle.tenantId }, { apikey: keys().secretKey });
    expect(byId.status).toBe(200);
    expect(byId.body.health.status).toBe("idle");
    const sweep = await post({ mode: "sweep" }, { apikey: keys().secretKey });
    expect([200, 202]).toContain(sweep.status);
  });
});

describe("schedule migration", () => {
  it("applied without pg_cron/pg_net (skipped with a notice) and left its helper in place", async () => {
    const [ext] = await sql<{ n: number }[]>`select count(*)::int as n from pg_extension where extname in ('pg_cron', 'pg_net')`;
    expect(ext!.n).toBe(0);
    const [fn] = await sql<{ ok: boolean }[]>`select to_regprocedure('private.health_schedule_request(text, jsonb)') is not null as ok`;
    expect(fn!.ok).toBe(true);
    const { readFileSync } = await import("node:fs");
    const text = readFileSync("supabase/migrations/20261123002200_health_schedule.sql", "utf8");
    const block = text.slice(text.indexOf("do $schedule$"));
    const notices: string[] = [];
    const { default: postgres } = await import("postgres");
    const probe = postgres(inject("dbUrl"), { max: 1, onnotice: (n) => notices.push(String(n.message)) });
    try {
      await probe.unsafe(block);
    } finally {
      await probe.end();
    }
    expect(notices.join(" ")).toMatch(/pg_cron and\/or pg_net are not installed/);
  });
});
