/**
 * The GraphQL API end to end, as a frontend uses it: supabase-js + the typed client, through the
 * real graphql-v2 function under Deno, the real registry, the provisioning engine and the local
 * Neon emulator. An owner provisions and watches the steps reach ACTIVE; a member sees the status
 * but not the connection info; an outsider sees nothing; anonymous callers are refused.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from "vitest";
import { startTestFunctions, type TestFunctions } from "../support/functions.ts";
import { supabaseClient } from "../support/supabase-client.ts";
import { userToken } from "../../local/supabase/keys.ts";
import { startEmulator } from "../provisioning/support.ts";
import type { TestEmulator } from "../neon-emulator/setup.ts";
import { createWorld, registryClient, type OrgWorld, type TestUser } from "../registry/fixtures.ts";
import {
  executeGraphQL, GraphQLRequestError, ProvisionTenantDocument, TenantConnectionInfoDocument, TenantDocument, TenantHealthDocument,
} from "../../graphql-v2/client/index.ts";

const sql = registryClient();
let emulator: TestEmulator;
let functions: TestFunctions;
let world: OrgWorld;

beforeAll(async () => {
  emulator = await startEmulator({ operationDurationMs: 100 });
  functions = await startTestFunctions({
    only: ["graphql-v2"],
    extraEnv: { NEON_API_URL: emulator.url, NEON_API_KEY: emulator.apiKey, NEON_SQL_HTTP_URL: emulator.sqlHttpUrl, PROVISIONING_OPERATION_POLL_MS: "200", PROVISIONING_BACKOFF_MS: "100" },
  });
  world = await createWorld(sql, "gql-e2e");
}, 180_000);
afterAll(async () => { await functions?.stop(); await emulator?.stop(); await sql.end(); });

async function clientFor(user: TestUser | null) {
  const keys = inject("keys");
  return supabaseClient(functions.url, keys.anonKey, user ? await userToken(keys, user) : undefined);
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try { await promise; return undefined; } catch (error) { return error instanceof GraphQLRequestError ? error.code : `unexpected: ${String(error)}`; }
}

describe("graphql-v2 through the local stack", () => {
  it("an owner provisions and sees the steps advance to ACTIVE", async () => {
    const owner = await clientFor(world.owner);
    const { provisionTenant } = await executeGraphQL(owner, ProvisionTenantDocument, { input: { organizationId: world.org.id, region: "aws-eu-central-1" } }, { idempotencyKey: crypto.randomUUID() });
    expect(provisionTenant.created).toBe(true);
    const seen = new Set<string>();
    const deadline = Date.now() + 60_000;
    let status = provisionTenant.tenant.status as string;
    while (status !== "ACTIVE" && Date.now() < deadline) {
      const { tenant } = await executeGraphQL(owner, TenantDocument, { organizationId: world.org.id });
      status = tenant!.status;
      for (const step of tenant!.steps) if (step.state === "SUCCEEDED") seen.add(step.name);
      expect(status).not.toBe("FAILED");
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe("ACTIVE");
    const { tenant } = await executeGraphQL(owner, TenantDocument, { organizationId: world.org.id });
    expect(tenant!.steps.every((s) => s.state === "SUCCEEDED" || s.state === "SKIPPED")).toBe(true);
    expect(seen.size).toBeGreaterThan(0);
    const { tenantHealth } = await executeGraphQL(owner, TenantHealthDocument, { organizationId: world.org.id });
    expect(tenantHealth.latest).not.toBeNull();
  }, 90_000);

  it("the owner reads connection info; a member sees the status but gets FORBIDDEN on it", async () => {
    const owner = await clientFor(world.owner);
    const { tenantConnectionInfo } = await executeGraphQL(owner, TenantConnectionInfoDocument, { organizationId: world.org.id });
    expect(tenantConnectionInfo.directUri).toMatch(/^postgres(ql)?:\/\//);
    const member = await clientFor(world.member);
    const { tenant } = await executeGraphQL(member, TenantDocument, { organizationId: world.org.id });
    expect(tenant!.status).toBe("ACTIVE");
    expect(await codeOf(executeGraphQL(member, TenantConnectionInfoDocument, { organizationId: world.org.id }))).toBe("FORBIDDEN");
  });

  it("an outsider gets nothing of another organization; anonymous callers get UNAUTHENTICATED", async () => {
    const outsider = await clientFor(world.outsider);
    const { tenant } = await executeGraphQL(outsider, TenantDocument, { organizationId: world.org.id });
    expect(tenant).toBeNull();
    expect(["FORBIDDEN", "NOT_FOUND"]).toContain(await codeOf(executeGraphQL(outsider, TenantConnectionInfoDocument, { organizationId: world.org.id })));
    expect(["FORBIDDEN", "NOT_FOUND"]).toContain(await codeOf(executeGraphQL(outsider, ProvisionTenantDocument, { input: { organizationId: world.otherOrg.id, region: "aws-eu-central-1" } })));
    const anonymous = await clientFor(null);
    expect(await codeOf(executeGraphQL(anonymous, TenantDocument, { organizationId: world.org.id }))).toBe("UNAUTHENTICATED");
  });
});
