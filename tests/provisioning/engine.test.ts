/**
 * The engine in-process against the local Neon emulator: a clean run (steps, schema, seed,
 * ledger, API cost), deprovision, reconcile with a planted orphan, and a retry from a named step.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import type { TestEmulator } from "../neon-emulator/setup.ts";
import { asService } from "../../supabase/functions/_shared/db.ts";
import { getTenantConnectionForTenant } from "../../supabase/functions/_shared/registry/credentials.ts";
import { tenantResourceName } from "../../supabase/functions/_shared/provisioning/index.ts";
import { ownedOrg, projectsNamed, registryClient, startEmulator, tenantRow, testEngine, vaultSecretCount } from "./support.ts";
import { serviceCaller, userCaller } from "../registry/fixtures.ts";

let emulator: TestEmulator;
const sql = registryClient(8);

beforeAll(async () => {
  emulator = await startEmulator({ operationDurationMs: 50 });
});
afterAll(async () => {
  await sql.end();
  await emulator?.dispose();
});

const audit = { entryPoint: "tests" };

describe("provisioning engine (in-process, emulator)", () => {
  it("provisions a tenant to active with schema, seed, ledger and ≤ 4 Neon calls", async () => {
    const engine = testEngine(emulator, sql);
    const { org, owner } = await ownedOrg(sql, "clean");
    const started = await engine.provision(userCaller(owner), { organizationId: org.id, region: "aws-eu-central-1" }, audit);
    expect(started.result.status).toBe("pending");
    const run = await started.work;
    expect(run?.status, JSON.stringify(run)).toBe("active");
    expect(run!.metrics.neonCalls).toBeLessThanOrEqual(4);
    const tenantId = started.result.id;

    const row = await tenantRow(sql, tenantId);
    expect(Object.values(row.provisioning_status).every((s) => s.state === "succeeded")).toBe(true);
    expect(await projectsNamed(emulator, tenantResourceName(tenantId))).toHaveLength(1);
    expect(await vaultSecretCount(tenantId)).toBe(4);

    const ownerUrl = await asService(sql, (tx) => getTenantConnectionForTenant(tx, { tenantId, kind: "owner_direct" }, audit));
    const appUrl = await asService(sql, (tx) => getTenantConnectionForTenant(tx, { tenantId, kind: "app_direct" }, audit));
    expect(ownerUrl).toContain("sslmode=require");
    const owner$ = postgres(ownerUrl, { max: 1, onnotice: () => {} });
    const app$ = postgres(appUrl, { max: 1, onnotice: () => {} });
    try {
      const [counts] = await owner$<{ categories: number; settings: number; roles: number; migrations: number }[]>`
        select (select count(*)::int from public.categories) as categories, (select count(*)::int from public.store_settings) as settings,
               (select count(*)::int from public.roles) as roles, (select count(*)::int from public.schema_migrations) as migrations`;
      expect(counts!.categories).toBeGreaterThan(0);
      expect(counts!.settings).toBeGreaterThan(0);
      expect(counts!.roles).toBeGreaterThan(0);
      const ledger = await sql<{ version: string }[]>`select distinct version from public.tenant_migrations where tenant_id = ${tenantId} and success`;
      expect(ledger.length).toBe(counts!.migrations);
      await expect(app$`create table public.evil (id int)`).rejects.toMatchObject({ code: "42501" });
      const [ssl] = await app$<{ ssl: boolean }[]>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
      expect(ssl!.ssl).toBe(true);
      await app$`select count(*) from public.categories`;
    } finally {
      await owner$.end();
      await app$.end();
    }

    // A repeat provision returns the same tenant and starts nothing new.
    const again = await engine.provision(userCaller(owner), { organizationId: org.id, region: "aws-eu-central-1" }, audit);
    expect(again.result.id).toBe(tenantId);
    expect(again.result.created).toBe(false);
    expect(again.work).toBeNull();

    // Deprovision: project and secrets gone, tenant deleted; a repeat is a no-op.
    const gone = await engine.deprovision(userCaller(owner), org.id, "test", audit);
    expect((await gone.work)?.status).toBe("deleted");
    expect(await projectsNamed(emulator, tenantResourceName(tenantId))).toHaveLength(0);
    expect(await vaultSecretCount(tenantId)).toBe(0);
    const [deleted] = await sql<{ status: string; deleted_at: Date | null }[]>`select status, deleted_at from public.tenant_databases where id = ${tenantId}`;
    expect(deleted).toMatchObject({ status: "deleted" });
    expect(deleted!.deleted_at).toBeInstanceOf(Date);
    const repeat = await engine.deprovision(userCaller(owner), org.id, "test", audit);
    expect(repeat.result).toEqual({ tenantId, status: "deleted" });
  });

  it("reconcile reports a planted orphan and deletes it only after the grace period", async () => {
    const engine = testEngine(emulator, sql);
    const orphanName = tenantResourceName(crypto.randomUUID());
    const res = await fetch(`${emulator.url}/projects`, {
      method: "POST", headers: { Authorization: `Bearer ${emulator.apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ project: { name: orphanName, region_id: "aws-us-east-2" } }),
    });
    expect(res.status).toBe(201);
    const young = await engine.reconcile({ graceMinutes: 60, deleteOrphans: true });
    const found = young.neonOrphans.find((o) => o.name === orphanName);
    expect(found).toMatchObject({ reason: "no_tenant", deleted: false });
    // An hour later (the engine's clock decides the orphan's age).
    const later = testEngine(emulator, sql, { now: () => Date.now() + 61 * 60_000 });
    const dry = await later.reconcile({ graceMinutes: 60, deleteOrphans: true, dryRun: true });
    expect(dry.neonOrphans.find((o) => o.name === orphanName)?.deleted).toBe(false);
    const old = await later.reconcile({ graceMinutes: 60, deleteOrphans: true });
    expect(old.neonOrphans.find((o) => o.name === orphanName)?.deleted).toBe(true);
    expect(await projectsNamed(emulator, orphanName)).toHaveLength(0);
  });

  it("a failed step ends as failed with a stable code; retry from a named step converges", async () => {
    const engine = testEngine(emulator, sql, { maxAttempts: 2 });
    const { org } = await ownedOrg(sql, "retry");
    // Every create refused: the engine gives up with NEON_QUOTA_EXCEEDED-like client error codes.
    await emulator.setFaults({ routes: { createProject: { errorRates: { 503: 1 } } } });
    const started = await engine.provision(serviceCaller, { organizationId: org.id, region: "aws-us-east-2" }, audit);
    const failed = await started.work;
    await emulator.setFaults({});
    expect(failed?.status).toBe("failed");
    expect(failed?.failure).toMatchObject({ step: "create_database", code: "NEON_UNAVAILABLE" });
    const row = await tenantRow(sql, started.result.id);
    expect(row.status_reason).toMatch(/^NEON_UNAVAILABLE at create_database: .*Retry provisioning|resumes/);

    const retried = await engine.retry(serviceCaller, org.id, null, audit);
    expect((await retried.work)?.status).toBe("active");
    expect(await projectsNamed(emulator, tenantResourceName(started.result.id))).toHaveLength(1);
  });
});
