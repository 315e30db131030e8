/**
 * `npm run bench:provision` (tsx bench/provision.ts [--tenants N] [--op-ms MS]): N tenants
 * provisioned concurrently by the provisioning engine (in-process, as the function runs it)
 * against the local Neon emulator with a realistic latency profile (100–300 ms per API call,
 * operations of `--op-ms`, default 1500 ms each; a create chains two). The gateway uses Neon's
 * real rate limits (700/min, 40/s per route). Prints time to active, our own overhead per tenant
 * (time not spent in Neon calls/operation waits or tenant SQL), Neon calls per tenant, 423/429
 * counts, tenants per minute, and reconcile's orphan count.
 */
import { startBenchStack, percentile, argValue } from "./support/stack.ts";
import { startEmulatorProcess } from "./support/emulator-process.ts";
import { createSqlClient } from "../supabase/functions/_shared/db.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { createNeonGateway } from "../supabase/functions/_shared/neon/index.ts";
import { createProvisioningEngine } from "../supabase/functions/_shared/provisioning/index.ts";
import { checkNewTenantHealth, configureNeonDriver, createNeonSqlProbe, DEFAULT_HEALTH_CONFIG } from "../supabase/functions/_shared/health/index.ts";

const tenants = argValue("tenants", 100);
const opMs = argValue("op-ms", 1500);
const stack = await startBenchStack({ max_connections: 400 });
const emulator = await startEmulatorProcess({ adminUrl: stack.pg.superuserUrl, operationMs: opMs });
await emulator.setFaults({ seed: 1, latencyMs: [100, 300] });
const sql = createSqlClient(stack.dbUrl, { max: 20, applicationName: "bench-provision" });
try {
  const gateway = createNeonGateway({ apiKey: emulator.apiKey, baseUrl: emulator.url, timeoutMs: 20_000 });
  // One poll per wait: a create chains two operations, so poll once both should be done.
  configureNeonDriver({ sqlHttpUrl: emulator.sqlHttpUrl });
  const logger = createLogger({}, () => {}, "error");
  const health = { sql, neon: gateway, probe: createNeonSqlProbe(), config: DEFAULT_HEALTH_CONFIG, logger };
  const engine = createProvisioningEngine({
    sql, gateway, logger, workerPrefix: "bench", operationPollDelayMs: 2 * opMs + 400,
    checkHealth: (tenantId) => checkNewTenantHealth(health, { tenantId }),
  });
  const orgIds: string[] = [];
  for (let i = 0; i < tenants; i++) {
    const id = crypto.randomUUID();
    await sql`insert into public.organizations (id, slug, name, plan) values (${id}, ${`bench-${i}-${id.slice(0, 8)}`}, ${`Bench ${i}`}, 'starter')`;
    orgIds.push(id);
  }
  const service = { role: "service_role" as const, claims: { role: "service_role" } };
  const started = performance.now();
  const runs = await Promise.all(orgIds.map(async (organizationId) => {
    const t0 = performance.now();
    const s = await engine.provision(service, { organizationId, region: "aws-us-east-2" }, { entryPoint: "bench" });
    const r = await s.work;
    return { r, total: performance.now() - t0 };
  }));
  const wallMs = performance.now() - started;
  const active = runs.filter((x) => x.r?.status === "active");
  const totals = active.map((x) => x.total);
  const overhead = active.map((x) => x.total - x.r!.metrics.neonMs - x.r!.metrics.tenantSqlMs);
  const calls = active.map((x) => x.r!.metrics.neonCalls);
  let locked = 0, limited = 0;
  for (const [, c] of gateway.allCounts()) { locked += c.locked; limited += c.rateLimited; }
  const report = await engine.reconcile({ graceMinutes: 0 });
  const orphans = report.neonOrphans.length + report.registryOrphans.length;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `tenants: ${tenants} (active ${active.length}, failed ${runs.length - active.length}); operation ${opMs} ms, API latency 100–300 ms`,
    `time to active: p50 ${fmt(percentile(totals, 50))}, p95 ${fmt(percentile(totals, 95))}, max ${fmt(Math.max(...totals))}`,
    `own overhead per tenant (not Neon calls/waits, not tenant SQL): p50 ${Math.round(percentile(overhead, 50))} ms, p95 ${Math.round(percentile(overhead, 95))} ms`,
    `Neon API calls per tenant: mean ${(calls.reduce((a, b) => a + b, 0) / Math.max(1, calls.length)).toFixed(2)}, max ${Math.max(...calls)}`,
    `423 responses: ${locked}, 429 responses: ${limited}`,
    `throughput: ${(active.length / (wallMs / 60_000)).toFixed(1)} tenants/minute (wall ${fmt(wallMs)})`,
    `reconcile orphans: ${orphans} (neon ${report.neonOrphans.length}, registry ${report.registryOrphans.length}), stuck ${report.stuck.length}`,
  ];
  const statuses = (await emulator.counters()).api.byRouteStatus;
  const limitedRoutes = Object.entries(statuses).filter(([, s]) => s["429"]).map(([route, s]) => `${route} ${s["429"]}`);
  if (limitedRoutes.length) lines.push(`429 by route (emulator): ${limitedRoutes.join(", ")}`);
  console.log(lines.join("\n"));
} finally {
  await sql.end();
  await emulator.stop();
  await stack.stop();
}
