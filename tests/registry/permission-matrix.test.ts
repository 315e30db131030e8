/**
 * The permission matrix of issue 4: every caller × every action against one organization with an
 * active tenant. Each forbidden cell must be refused (an error, or zero rows) and each allowed cell
 * must work and return the real data. SQL actions run through withCaller (one transaction as the
 * caller); "decrypt via the function" goes through the real handler with real tokens.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from "vitest";
import { withCaller, asService, type Sql, type Tx } from "../../supabase/functions/_shared/db.ts";
import type { Caller } from "../../supabase/functions/_shared/auth.ts";
import { createAuthenticator } from "../../supabase/functions/_shared/auth.ts";
import { createLogger } from "../../supabase/functions/_shared/log.ts";
import { createTokenBucketRateLimiter } from "../../supabase/functions/_shared/rate-limit.ts";
import { createDecryptConnectionStringHandler } from "../../supabase/functions/_shared/handlers/decrypt-connection-string.ts";
import { getTenantStatus, transitionTenantStatus, updateTenantResources } from "../../supabase/functions/_shared/registry/tenants.ts";
import { getTenantConnection, getTenantConnectionInfo } from "../../supabase/functions/_shared/registry/credentials.ts";
import { userToken } from "../../local/supabase/keys.ts";
import { anonCaller, captureLines, createWorld, fakeCredentials, provisionActiveTenant, registryClient, serviceCaller, userCaller, type OrgWorld } from "./fixtures.ts";

type CallerName = "anon" | "outsider" | "member" | "admin" | "owner" | "owner of another org" | "service_role";
type Action =
  | "read tenant status" | "read health" | "read steps" | "read connection info" | "decrypt via the function"
  | "write provisioning state" | "read vault directly" | "read audit_log";
type Outcome = "allowed" | "refused";

const A: Outcome = "allowed";
const R: Outcome = "refused";
const CALLERS: CallerName[] = ["anon", "outsider", "member", "admin", "owner", "owner of another org", "service_role"];
//                                            anon outsider member admin owner other service
const EXPECTED: Record<Action, Outcome[]> = {
  "read tenant status":       [R, R, A, A, A, R, A],
  "read health":              [R, R, A, A, A, R, A],
  "read steps":               [R, R, A, A, A, R, A],
  "read connection info":     [R, R, R, A, A, R, A],
  "decrypt via the function": [R, R, R, A, A, R, A],
  "write provisioning state": [R, R, R, R, R, R, A],
  // service_role's SELECT on vault is a platform grant (reference §1.3) we cannot revoke on hosted.
  "read vault directly":      [R, R, R, R, R, R, A],
  "read audit_log":           [R, R, R, A, A, R, A],
};

const sql: Sql = registryClient(6);
afterAll(() => sql.end());

let world: OrgWorld;
let tenantId: string;
let creds: ReturnType<typeof fakeCredentials>;
let secretId: string;
const logs = captureLines();
const keys = inject("keys");
const handler = createDecryptConnectionStringHandler({
  sql,
  authenticate: createAuthenticator({ jwks: keys.jwks, secretKeys: [keys.secretKey] }),
  logger: createLogger({ fn: "decrypt-connection-string" }, logs.write),
  rateLimiter: createTokenBucketRateLimiter({ capacity: 1000, refillPerSecond: 100 }),
});

beforeAll(async () => {
  world = await createWorld(sql, "matrix");
  creds = fakeCredentials("matrix");
  tenantId = await provisionActiveTenant(sql, world.org.id, creds.urls);
  const [row] = await sql`select app_pooled_secret_id from public.tenant_databases where id = ${tenantId}`;
  secretId = row!.app_pooled_secret_id as string;
});

function callerFor(name: CallerName): Caller {
  switch (name) {
    case "anon": return anonCaller;
    case "outsider": return userCaller(world.outsider);
    case "member": return userCaller(world.member);
    case "admin": return userCaller(world.admin);
    case "owner": return userCaller(world.owner);
    case "owner of another org": return userCaller(world.otherOwner);
    case "service_role": return serviceCaller;
  }
}

/** Runs a SQL probe as the caller: errors and empty results both count as refused. */
async function probe(caller: Caller, fn: (tx: Tx) => Promise<boolean>): Promise<Outcome> {
  try {
    return (await withCaller(sql, caller, fn)) ? A : R;
  } catch (error) {
    // Refusals must be permission/authorization errors, not bugs.
    expect((error as { code?: string }).code, String(error)).toMatch(/^(FORBIDDEN|UNAUTHENTICATED|NOT_FOUND)$/);
    return R;
  }
}

async function decryptViaFunction(name: CallerName): Promise<Outcome> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (name === "service_role") headers.apikey = keys.secretKey;
  else if (name !== "anon") {
    const user = { outsider: world.outsider, member: world.member, admin: world.admin, owner: world.owner, "owner of another org": world.otherOwner }[name];
    headers.authorization = `Bearer ${await userToken(keys, user)}`;
  }
  const response = await handler(new Request("http://localhost/decrypt-connection-string", { method: "POST", headers, body: JSON.stringify({ organizationId: world.org.id }) }));
  const body = (await response.json()) as { connectionString?: string; error?: { code: string } };
  expect(response.headers.get("cache-control")).toBe("no-store");
  if (response.status === 200) {
    expect(body.connectionString).toBe(creds.urls.app_pooled);
    return A;
  }
  expect([401, 403]).toContain(response.status);
  expect(body.error?.code).toBe(name === "anon" ? "UNAUTHENTICATED" : "FORBIDDEN");
  return R;
}

const ACTIONS: Record<Action, (name: CallerName) => Promise<Outcome>> = {
  "read tenant status": (name) => probe(callerFor(name), async (tx) => {
    const tenant = await getTenantStatus(tx, world.org.id);
    if (tenant) expect(tenant).toMatchObject({ id: tenantId, status: "active", healthStatus: "healthy" });
    return tenant !== null;
  }),
  "read health": (name) => probe(callerFor(name), async (tx) => {
    const rows = await tx`select status from public.tenant_health_checks where tenant_id = ${tenantId}`;
    return rows.length > 0 && rows.every((r) => r.status === "healthy");
  }),
  "read steps": (name) => probe(callerFor(name), async (tx) => {
    const [tenant] = await tx`select provisioning_status from public.tenant_databases where id = ${tenantId}`;
    const events = await tx`select event, step, step_state from public.provisioning_events where tenant_id = ${tenantId} order by id`;
    if (!tenant) {
      expect(events).toHaveLength(0);
      return false;
    }
    expect(tenant.provisioning_status.activate.state).toBe("succeeded");
    expect(events.filter((e) => e.event === "step").length).toBeGreaterThanOrEqual(14);
    return true;
  }),
  // Both SQL entry points for owners/admins: non-secret info, and the connection string itself.
  "read connection info": async (name) => {
    const info = await probe(callerFor(name), async (tx) => {
      const rows = await getTenantConnectionInfo(tx, world.org.id);
      expect(rows.find((r) => r.kind === "app_pooled")).toMatchObject({ stored: true, username: "tenant_app", database: "neondb", sslmode: "require" });
      expect(JSON.stringify(rows)).not.toContain(creds.passwords.app_pooled);
      return true;
    });
    const secret = await probe(callerFor(name), async (tx) => {
      expect(await getTenantConnection(tx, { organizationId: world.org.id, kind: "owner_direct" }, { entryPoint: "tests" })).toBe(creds.urls.owner_direct);
      return true;
    });
    expect(secret).toBe(info);
    return info;
  },
  "decrypt via the function": decryptViaFunction,
  // Function writes (what service code uses) and direct table writes; users must get neither.
  "write provisioning state": async (name) => {
    const caller = callerFor(name);
    const viaFunctions = await probe(caller, async (tx) => {
      await transitionTenantStatus(tx, { tenantId, from: "active", to: "suspended", reason: "matrix" });
      await transitionTenantStatus(tx, { tenantId, from: "suspended", to: "active", reason: "matrix" });
      await updateTenantResources(tx, tenantId, { graphql_endpoint_status: "ready" });
      await tx`select public.record_health_check(${tenantId}, 'healthy', 5)`;
      return true;
    });
    for (const write of [
      (tx: Tx) => tx`update public.tenant_databases set status_reason = 'hijacked' where id = ${tenantId} returning id`,
      (tx: Tx) => tx`insert into public.provisioning_events (tenant_id, organization_id, event) values (${tenantId}, ${world.org.id}, 'claimed') returning id`,
      (tx: Tx) => tx`delete from public.audit_log where organization_id = ${world.org.id} returning id`,
    ]) {
      // Direct table writes are refused for every API role, service_role included (writes go through functions).
      expect(await probe(caller, async (tx) => (await write(tx)).length > 0)).toBe(R);
    }
    return viaFunctions;
  },
  "read vault directly": (name) => probe(callerFor(name), async (tx) => {
    const [row] = await tx`select decrypted_secret from vault.decrypted_secrets where id = ${secretId}`;
    if (row) expect(row.decrypted_secret).toBe(creds.urls.app_pooled);
    return row !== undefined;
  }),
  "read audit_log": (name) => probe(callerFor(name), async (tx) => {
    const rows = await tx`select action from public.audit_log where organization_id = ${world.org.id}`;
    if (rows.length > 0) expect(rows.map((r) => r.action)).toContain("tenant.provision_requested");
    return rows.length > 0;
  }),
};

describe("permission matrix: callers × actions", () => {
  for (const [action, outcomes] of Object.entries(EXPECTED) as Array<[Action, Outcome[]]>) {
    describe(action, () => {
      CALLERS.forEach((caller, index) => {
        it(`${caller}: ${outcomes[index]}`, async () => {
          expect(await ACTIONS[action](caller)).toBe(outcomes[index]);
        });
      });
    });
  }

  it("after the matrix the tenant is still active and healthy (service writes were reversible)", async () => {
    const tenant = await asService(sql, (tx) => getTenantStatus(tx, world.org.id));
    expect(tenant).toMatchObject({ status: "active", healthStatus: "healthy" });
  });
});
