/**
 * Strategy `branch` (free plan, opt-in): the tenant gets a branch `tcp-<tenant id>` of the shared
 * schema-template project instead of a project of its own; it is migrated and seeded like any
 * tenant, and deprovisioning deletes the branch but leaves the template.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import type { TestEmulator } from "../neon-emulator/setup.ts";
import { asService } from "../../supabase/functions/_shared/db.ts";
import { getTenantConnectionForTenant } from "../../supabase/functions/_shared/registry/credentials.ts";
import { tenantResourceName } from "../../supabase/functions/_shared/provisioning/index.ts";
import { TEMPLATE_PROJECT_NAME } from "../../supabase/functions/_shared/provisioning/names.ts";
import { ownedOrg, projectsNamed, registryClient, startEmulator, tenantRow, testEngine, vaultSecretCount } from "./support.ts";
import { userCaller } from "../registry/fixtures.ts";

let emulator: TestEmulator;
const sql = registryClient(8);
beforeAll(async () => { emulator = await startEmulator({ operationDurationMs: 50 }); });
afterAll(async () => { await sql.end(); await emulator?.dispose(); });

async function branchesNamed(projectId: string, name: string): Promise<Array<{ id: string; name: string }>> {
  const res = await fetch(`${emulator.url}/projects/${projectId}/branches?search=${encodeURIComponent(name)}`, { headers: { Authorization: `Bearer ${emulator.apiKey}` } });
  return ((await res.json()) as { branches: Array<{ id: string; name: string }> }).branches.filter((b) => b.name === name);
}

describe("branch-per-tenant strategy", () => {
  it("provisions a branch of the template project, migrated and seeded, and deprovisions it", async () => {
    const engine = testEngine(emulator, sql);
    const { org, owner } = await ownedOrg(sql, "branchy", "free");
    const started = await engine.provision(userCaller(owner), { organizationId: org.id, region: "aws-eu-central-1", strategy: "branch" }, { entryPoint: "tests" });
    const run = await started.work;
    expect(run?.status, JSON.stringify(run)).toBe("active");
    const tenantId = started.result.id;

    const [template] = await projectsNamed(emulator, TEMPLATE_PROJECT_NAME);
    expect(template).toBeDefined();
    expect((await tenantRow(sql, tenantId)).neon_project_id).toBe(template!.id);
    expect(await projectsNamed(emulator, tenantResourceName(tenantId))).toHaveLength(0);
    expect(await branchesNamed(template!.id, tenantResourceName(tenantId))).toHaveLength(1);
    expect(await vaultSecretCount(tenantId)).toBe(4);

    const ownerUrl = await asService(sql, (tx) => getTenantConnectionForTenant(tx, { tenantId, kind: "owner_direct" }, { entryPoint: "tests" }));
    const db = postgres(ownerUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await db<{ categories: number }[]>`select count(*)::int as categories from public.categories`;
      expect(row!.categories).toBeGreaterThan(0);
    } finally {
      await db.end();
    }

    const gone = await engine.deprovision(userCaller(owner), org.id, "test", { entryPoint: "tests" });
    await gone.work;
    expect((await tenantRow(sql, tenantId)).status).toBe("deleted");
    expect(await branchesNamed(template!.id, tenantResourceName(tenantId))).toHaveLength(0);
    expect(await projectsNamed(emulator, TEMPLATE_PROJECT_NAME)).toHaveLength(1);
    expect(await vaultSecretCount(tenantId)).toBe(0);
  }, 60_000);
});
