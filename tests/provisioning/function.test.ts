/**
 * The provision-tenant-resources function end to end: the real Deno function server against a
 * local Neon emulator. Provision → active (through 202 + background work), bad input → 400 naming
 * the field, duplicate and concurrent requests → one tenant, crash (SIGKILL of the worker) at
 * every step boundary + resume → active with one project and one set of secrets, deprovision.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { userToken } from "../../local/supabase/keys.ts";
import type { TestEmulator } from "../neon-emulator/setup.ts";
import { startTestFunctions, type TestFunctions } from "../support/functions.ts";
import { tenantResourceName } from "../../supabase/functions/_shared/provisioning/index.ts";
import type { TestUser } from "../registry/fixtures.ts";
import { ownedOrg, projectsNamed, registryClient, startEmulator, tenantRow, until, vaultSecretCount } from "./support.ts";

const FN = "provision-tenant-resources";
let emulator: TestEmulator;
let functions: TestFunctions;
const sql = registryClient(4);
const keys = inject("keys");

beforeAll(async () => {
  emulator = await startEmulator({ operationDurationMs: 100 });
  functions = await startTestFunctions({
    only: [FN],
    extraEnv: {
      NEON_API_URL: emulator.url, NEON_API_KEY: emulator.apiKey, NEON_SQL_HTTP_URL: emulator.sqlHttpUrl,
      PROVISIONING_LEASE_SECONDS: "2", PROVISIONING_OPERATION_POLL_MS: "250", PROVISIONING_BACKOFF_MS: "100",
      PROVISIONING_PAUSE_AFTER_STEP_MS: "700",
    },
  });
}, 180_000);
afterAll(async () => {
  await functions?.stop();
  await sql.end();
  await emulator?.dispose();
});

async function call(who: TestUser | "service" | "anon", method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { "content-type": "application/json", ...headers };
  if (who === "service") { h.apikey = keys.secretKey; h.authorization = `Bearer ${keys.secretKey}`; }
  else if (who !== "anon") h.authorization = `Bearer ${await userToken(keys, who)}`;
  else h.apikey = keys.publishableKey;
  const response = await fetch(`${functions.url}/functions/v1/${FN}${path}`, { method, headers: h, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

const statusOf = async (tenantId: string) => (await tenantRow(sql, tenantId)).status;

describe("provision-tenant-resources (Deno function, local Neon)", () => {
  it("bad input gets 400 naming the field", async () => {
    const { org, owner } = await ownedOrg(sql, "badinput");
    const cases: Array<[unknown, string]> = [
      [{ organizationId: "nope" }, "organizationId"],
      [{ organizationId: org.id, size: "huge" }, "size"],
      [{ organizationId: org.id, region: "mars-1" }, "region"],
      [{ organizationId: org.id, size: "xl" }, "size"], // not on the starter plan
      [{ organizationId: org.id, strategy: "branch" }, "strategy"], // starter: project only
    ];
    for (const [body, field] of cases) {
      const res = await call(owner, "POST", "", body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(res.body.error.details.field).toBe(field);
    }
    const unknown = await call(owner, "POST", "", { organizationId: org.id, colour: "red" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("colour");
    expect((await call("anon", "POST", "", { organizationId: org.id })).status).toBe(401);
    expect((await call(owner, "POST", "/resume", {})).status).toBe(403);
  });

  it("provisions to active; duplicate and concurrent requests give one tenant; deprovision is idempotent", async () => {
    const { org, owner } = await ownedOrg(sql, "e2e");
    const body = { organizationId: org.id, region: "aws-eu-central-1" };
    const answers = await Promise.all([
      call(owner, "POST", "", body, { "Idempotency-Key": "double-click-1" }),
      call(owner, "POST", "", body, { "Idempotency-Key": "double-click-1" }),
      call(owner, "POST", "", body),
    ]);
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(202);
    const ids = new Set(answers.map((a) => a.body.tenantId));
    expect(ids.size).toBe(1);
    const tenantId = answers[0]!.body.tenantId as string;
    expect(answers[0]!.body.steps.map((s: { step: string }) => s.step)).toContain("apply_migrations");
    await until("active", async () => (await statusOf(tenantId)) === "active", 60_000, 200);
    const status = await call(owner, "GET", `?organizationId=${org.id}`);
    expect(status.body).toMatchObject({ tenantId, status: "active", sslStatus: "verified" });
    expect(await projectsNamed(emulator, tenantResourceName(tenantId))).toHaveLength(1);
    expect(await vaultSecretCount(tenantId)).toBe(4);
    const rows = await sql<{ n: number }[]>`select count(*)::int as n from public.tenant_databases where organization_id = ${org.id}`;
    expect(rows[0]!.n).toBe(1);

    const del = await call(owner, "DELETE", "", { organizationId: org.id, confirm: true });
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    expect(del.body.status).toBe("deleted");
    expect(await projectsNamed(emulator, tenantResourceName(tenantId))).toHaveLength(0);
    expect(await vaultSecretCount(tenantId)).toBe(0);
    const again = await call(owner, "DELETE", "", { organizationId: org.id, confirm: true });
    expect(again).toMatchObject({ status: 200, body: { tenantId, status: "deleted" } });
    expect((await call(owner, "DELETE", "", { organizationId: org.id })).body.error.details.field).toBe("confirm");
  }, 90_000);

  it("a worker killed at every step boundary, then resumed, converges to active with one project and one set of secrets", async () => {
    const { org, owner } = await ownedOrg(sql, "crash");
    const res = await call(owner, "POST", "", { organizationId: org.id, region: "aws-us-east-2" });
    expect(res.status).toBe(202);
    const tenantId = res.body.tenantId as string;
    const boundaries = ["create_database", "wait_for_operations", "store_credentials", "apply_migrations", "seed_data", "verify_endpoint", "first_health_check"];
    for (const step of boundaries) {
      await until(`${step} succeeded`, async () => (await tenantRow(sql, tenantId)).provisioning_status[step]?.state === "succeeded", 60_000, 20);
      await functions.kill(FN);
      // The dead worker's lease (2 s) must expire before resume may take over.
      await until(`resume of ${step}`, async () => {
        const r = await call("service", "POST", "/resume", { organizationIds: [org.id], budgetMs: 0 });
        return r.status === 200 && r.body.taken.includes(tenantId);
      }, 30_000, 300);
    }
    await until("active after crashes", async () => (await statusOf(tenantId)) === "active", 60_000, 200);
    expect(await projectsNamed(emulator, tenantResourceName(tenantId))).toHaveLength(1);
    expect(await vaultSecretCount(tenantId)).toBe(4);
    const takeovers = await sql<{ n: number }[]>`select count(*)::int as n from public.provisioning_events where tenant_id = ${tenantId} and event = 'lease_taken_over'`;
    expect(takeovers[0]!.n).toBeGreaterThanOrEqual(boundaries.length);
    const ledger = await sql<{ n: number }[]>`select count(distinct version)::int as n from public.tenant_migrations where tenant_id = ${tenantId} and success`;
    expect(ledger[0]!.n).toBeGreaterThan(0);
  }, 150_000);
});
