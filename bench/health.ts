/**
 * `npm run bench:health` — one health sweep over N real tenant databases on the local Neon
 * emulator (default 500, 20 % left idle), with the product's code path (runSweep: control-plane
 * tier, SQL probes through @neondatabase/serverless over the emulator's /sql, registry writes).
 *
 * Tenants are made cheaply: projects created straight through the emulator API, registry rows
 * inserted as `postgres` and credentials stored in Vault — no provisioning engine.
 *
 *   HEALTH_BENCH_TENANTS=500 HEALTH_BENCH_IDLE_PCT=20 npx tsx bench/health.ts
 *
 * Prints: sweep wall time, probes/s, peak concurrent SQL connections (emulator), Neon API calls
 * per sweep, SQL connections opened to idle tenants (emulator wakes), against the targets.
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { startBenchStack } from "./support/stack.ts";
import { startNeonEmulator } from "../local/neon-emulator/index.ts";
import { createSqlClient } from "../supabase/functions/_shared/db.ts";
import { sleep } from "../supabase/functions/_shared/backoff.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { createNeonGateway, createRateBudget } from "../supabase/functions/_shared/neon/index.ts";
import { DEFAULT_HEALTH_CONFIG, configureNeonDriver, createNeonSqlProbe, runSweep } from "../supabase/functions/_shared/health/index.ts";

const N = Number(process.env.HEALTH_BENCH_TENANTS ?? 500);
const IDLE_PCT = Number(process.env.HEALTH_BENCH_IDLE_PCT ?? 20);
const CONCURRENCY = Number(process.env.HEALTH_SWEEP_CONCURRENCY ?? DEFAULT_HEALTH_CONFIG.concurrency);

async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < items.length) { const i = next++; await fn(items[i]!, i); } }));
}

async function main() {
  const stack = await startBenchStack();
  const { pg, dbUrl } = stack;
  const stops: Array<() => Promise<void>> = [() => stack.stop()];
  try {
    const emulator = await startNeonEmulator({
      adminUrl: pg.superuserUrl, operationDurationMs: 10, activityPollMs: 0, rateLimit: false, projectsLimit: N + 10,
      minSuspendTimeoutSeconds: 1, sqlPoolMax: 1, sqlPoolIdleTimeoutSeconds: 1, stateDatabase: false, log: () => {},
    });
    stops.unshift(() => emulator.stop());
    // The same settings `npm run dev` passes (local/neon-emulator/dev-service.ts): the proxy serves `/v2`.
    configureNeonDriver({ sqlHttpUrl: emulator.sqlHttpUrl, wsProxy: `${emulator.wsProxyHost}/v2` });
    // Setup traffic gets a generous budget; the sweep below uses Neon's real limits (700/min, 40/s/route).
    const setupNeon = createNeonGateway({ apiKey: emulator.apiKey, baseUrl: emulator.url, budget: createRateBudget({ perMinute: 1_000_000, perSecondPerRoute: 100_000 }, { clock: Date.now, sleep }) });
    const registry = postgres(dbUrl, { max: 10, onnotice: () => {} });
    stops.unshift(() => registry.end());

    const idleCount = Math.round((N * IDLE_PCT) / 100);
    const t0 = performance.now();
    const idleEndpoints = new Set<string>();
    await pool(Array.from({ length: N }, (_, i) => i), 20, async (i) => {
      const idle = i < idleCount;
      const created = await setupNeon.createProject({ name: `bench-${i}`, regionId: "aws-us-east-2", compute: { minCu: 0.25, maxCu: 0.25, suspendTimeoutSeconds: idle ? 1 : -1 } });
      await setupNeon.waitForOperations(created.project.id, created.operations);
      if (idle) idleEndpoints.add(created.endpoints[0]!.id);
      const orgId = randomUUID();
      const tenantId = randomUUID();
      await registry.begin(async (tx) => {
        await tx`insert into public.organizations (id, slug, name, plan) values (${orgId}, ${`bench-${i}-${orgId.slice(0, 8)}`}, ${`Bench ${i}`}, 'starter')`;
        await tx`insert into public.tenant_databases (id, organization_id, region, plan, compute_size) values (${tenantId}, ${orgId}, 'bench', 'starter', 'xs')`;
        await tx`update public.tenant_databases set status = 'provisioning' where id = ${tenantId}`;
        await tx`update public.tenant_databases set status = 'active', neon_project_id = ${created.project.id}, neon_endpoint_id = ${created.endpoints[0]!.id} where id = ${tenantId}`;
        await tx`select public.store_tenant_credentials(${tenantId}, 'app_direct', ${created.connectionUris[0]!.connection_uri}, null, 'bench', null)`;
      });
    });
    console.log(`setup: ${N} tenants (${idleCount} idle) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // Idle tenants: 1 s suspend timeout, no sessions since creation.
    await new Promise((r) => setTimeout(r, 2_500));

    const neon = createNeonGateway({ apiKey: emulator.apiKey, baseUrl: emulator.url });
    const sql = createSqlClient(dbUrl, { max: 10, applicationName: "bench-health" });
    stops.unshift(() => sql.end());
    emulator.resetCounters();
    const started = performance.now();
    const summary = await runSweep({
      sql, neon, probe: createNeonSqlProbe(), logger: createLogger({}, () => {}, "error"), connectionCache: new Map(),
      config: { ...DEFAULT_HEALTH_CONFIG, concurrency: CONCURRENCY, budgetMs: 120_000, sqlProbeIntervalSeconds: 0 },
    }, { owner: "bench", region: "bench" });
    const wallMs = performance.now() - started;
    const counters = emulator.counters();
    const idleWakes = [...idleEndpoints].reduce((n, id) => n + (counters.endpoints[id]?.wakes ?? 0) + (counters.endpoints[id]?.sqlHttpRequests ?? 0), 0);
    const apiCalls = counters.api.total;
    const rows: Array<[string, string, string]> = [
      ["tenants (idle)", `${N} (${idleCount})`, ""],
      ["sweep wall time", `${(wallMs / 1000).toFixed(2)} s`, `< 10 s: ${wallMs < 10_000 ? "ok" : "MISSED"}`],
      ["tenants checked", `${summary.checked} ${JSON.stringify(summary.byStatus)}`, `pass finished: ${summary.passFinished}`],
      ["SQL probes", String(summary.sqlProbes), ""],
      ["probes/s (checks/s)", `${(summary.sqlProbes / (wallMs / 1000)).toFixed(0)} (${(summary.checked / (wallMs / 1000)).toFixed(0)})`, ""],
      ["peak concurrent SQL connections", String(counters.sql.peakConnections), `≤ 20: ${counters.sql.peakConnections <= 20 ? "ok" : "MISSED"}`],
      ["Neon API calls per sweep", `${apiCalls} ${JSON.stringify(counters.api.byRoute)}`, `≤ N/50 = ${Math.floor(N / 50)}: ${apiCalls <= N / 50 ? "ok" : "MISSED"}`],
      ["SQL connections to idle tenants", String(idleWakes), `= 0: ${idleWakes === 0 ? "ok" : "MISSED"}`],
    ];
    for (const [k, v, t] of rows) console.log(`${k.padEnd(34)} ${v.padEnd(44)} ${t}`);
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
