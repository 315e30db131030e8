/**
 * 50 tenants provisioned concurrently (in-process engine) while the emulator injects 30% 423,
 * 10% 429, 5% 503 and some hung requests: every tenant reaches active with exactly one project
 * and four Vault secrets, and reconcile finds no orphan of ours.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TestEmulator } from "../neon-emulator/setup.ts";
import { createNeonGateway, createRateBudget } from "../../supabase/functions/_shared/neon/index.ts";
import { tenantResourceName } from "../../supabase/functions/_shared/provisioning/index.ts";
import { serviceCaller } from "../registry/fixtures.ts";
import { ownedOrg, projectsNamed, registryClient, startEmulator, testEngine, vaultSecretCount } from "./support.ts";

let emulator: TestEmulator;
const sql = registryClient(20);
const TENANTS = 50;

beforeAll(async () => {
  emulator = await startEmulator({ operationDurationMs: 50, rateLimit: false });
});
afterAll(async () => {
  await sql.end();
  await emulator?.dispose();
});

it(`${TENANTS} tenants reach active under a Neon fault mix, without duplicates or orphans`, async () => {
  const gateway = createNeonGateway({
    apiKey: emulator.apiKey, baseUrl: emulator.url, timeoutMs: 5_000,
    budget: createRateBudget({ perMinute: 5_000, perSecondPerRoute: 100 }, { clock: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }),
    retry: { baseDelayMs: 20, maxDelayMs: 300, maxAttempts: 12, maxElapsedMs: 30_000 },
    operationWait: { initialDelayMs: 30, maxDelayMs: 200 },
  });
  const engine = testEngine(emulator, sql, { gateway, maxAttempts: 10 });

  const orgs = await Promise.all(Array.from({ length: TENANTS }, (_, i) => ownedOrg(sql, `fault${i}`)));
  await emulator.setFaults({ seed: 7, errorRates: { 423: 0.3, 429: 0.1, 503: 0.05 }, hangRate: 0.01 });
  const started = await Promise.all(orgs.map(({ org }) => engine.provision(serviceCaller, { organizationId: org.id, region: "aws-us-east-2" }, { entryPoint: "tests" })));
  const runs = await Promise.all(started.map((s) => s.work));
  await emulator.setFaults({});

  const failed = runs.filter((r) => r?.status !== "active");
  expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
  const { injected } = (await emulator.counters()).api as unknown as { injected: { statuses: Record<string, number>; hung: number } };
  expect(injected.statuses["423"] ?? 0).toBeGreaterThan(0);
  expect(injected.statuses["429"] ?? 0).toBeGreaterThan(0);
  expect(injected.statuses["503"] ?? 0).toBeGreaterThan(0);
  expect(injected.hung).toBeGreaterThan(0);

  // A create that timed out on our side may land after the engine's own duplicate check; the
  // reconcile sweep is the designed backstop and may only ever find such duplicates.
  const sweep = await engine.reconcile({ graceMinutes: 0, deleteOrphans: true });
  expect(sweep.neonOrphans.filter((o) => o.reason !== "duplicate")).toEqual([]);
  for (const s of started) {
    expect(await projectsNamed(emulator, tenantResourceName(s.result.id))).toHaveLength(1);
    expect(await vaultSecretCount(s.result.id)).toBe(4);
  }
  const report = await engine.reconcile({ graceMinutes: 0 });
  expect(report.neonOrphans).toEqual([]);
  const ours = new Set(started.map((s) => s.result.id));
  expect(report.registryOrphans.filter((o) => ours.has(o.tenantId))).toEqual([]);
}, 150_000);
