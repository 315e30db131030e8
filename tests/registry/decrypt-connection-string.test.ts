/**
 * decrypt-connection-string, in process with real tokens: owners/admins get the string (no-store),
 * everyone else a stable error; every decrypt and every refusal lands in audit_log with the caller.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from "vitest";
import { createAuthenticator } from "../../supabase/functions/_shared/auth.ts";
import { asService, type Sql } from "../../supabase/functions/_shared/db.ts";
import { createLogger } from "../../supabase/functions/_shared/log.ts";
import { createTokenBucketRateLimiter } from "../../supabase/functions/_shared/rate-limit.ts";
import { createDecryptConnectionStringHandler } from "../../supabase/functions/_shared/handlers/decrypt-connection-string.ts";
import { listAuditLog } from "../../supabase/functions/_shared/registry/audit.ts";
import { transitionTenantStatus } from "../../supabase/functions/_shared/registry/tenants.ts";
import { userToken } from "../../local/supabase/keys.ts";
import { captureLines, createOrg, createUser, createWorld, fakeCredentials, provisionActiveTenant, registryClient, requestPendingTenant, type OrgWorld, type TestUser } from "./fixtures.ts";

const sql: Sql = registryClient(4);
afterAll(() => sql.end());
const keys = inject("keys");
const authenticate = createAuthenticator({ jwks: keys.jwks, secretKeys: [keys.secretKey] });

let world: OrgWorld;
let creds: ReturnType<typeof fakeCredentials>;
let tenantId: string;
const logs = captureLines();

function makeHandler(capacity = 100) {
  let clock = 1_000_000;
  const rateLimiter = createTokenBucketRateLimiter({ capacity, refillPerSecond: 1 / 6, now: () => clock });
  const handler = createDecryptConnectionStringHandler({ sql, authenticate, logger: createLogger({ fn: "decrypt-connection-string" }, logs.write), rateLimiter, now: () => clock });
  return { handler, advance: (ms: number) => (clock += ms) };
}
const { handler } = makeHandler();

async function call(user: TestUser | "anon" | "service", body: unknown, init: { method?: string; requestId?: string; handle?: typeof handler } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (user === "service") headers.apikey = keys.secretKey;
  else if (user !== "anon") headers.authorization = `Bearer ${await userToken(keys, user)}`;
  if (init.requestId) headers["x-request-id"] = init.requestId;
  const method = init.method ?? "POST";
  const response = await (init.handle ?? handler)(new Request("http://localhost/decrypt-connection-string", { method, headers, body: method === "GET" ? undefined : JSON.stringify(body) }));
  return { response, body: (await response.json()) as { connectionString?: string; kind?: string; organizationId?: string; error?: { code: string; message: string; requestId: string; details?: Record<string, unknown> } } };
}

beforeAll(async () => {
  world = await createWorld(sql, "decrypt");
  creds = fakeCredentials("decrypt");
  tenantId = await provisionActiveTenant(sql, world.org.id, creds.urls);
});

describe("decrypt-connection-string", () => {
  it("gives owners and admins the string (default app_pooled), with Cache-Control: no-store", async () => {
    for (const user of [world.owner, world.admin]) {
      const { response, body } = await call(user, { organizationId: world.org.id });
      expect(response.status).toBe(200);
      expect(body).toEqual({ organizationId: world.org.id, kind: "app_pooled", connectionString: creds.urls.app_pooled });
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("pragma")).toBe("no-cache");
      expect(response.headers.get("x-request-id")).toBeTruthy();
    }
    const { body } = await call(world.owner, { organizationId: world.org.id, kind: "owner_direct" });
    expect(body.connectionString).toBe(creds.urls.owner_direct);
  });

  it("refuses members, outsiders and owners of other organizations with 403 FORBIDDEN, and anon with 401", async () => {
    for (const user of [world.member, world.outsider, world.otherOwner]) {
      const { response, body } = await call(user, { organizationId: world.org.id });
      expect(response.status).toBe(403);
      expect(body.error).toMatchObject({ code: "FORBIDDEN", details: { reason: "not_owner_or_admin" } });
      expect(JSON.stringify(body)).not.toContain("postgresql://");
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
    const anon = await call("anon", { organizationId: world.org.id });
    expect(anon.response.status).toBe(401);
    expect(anon.body.error?.code).toBe("UNAUTHENTICATED");
    expect(anon.response.headers.get("cache-control")).toBe("no-store");
    const forged = await handler(new Request("http://localhost/x", { method: "POST", headers: { authorization: "Bearer not.a.jwt" }, body: "{}" }));
    expect(forged.status).toBe(401);
  });

  it("lets service callers (secret key) through", async () => {
    const { response, body } = await call("service", { organizationId: world.org.id, kind: "app_direct" });
    expect(response.status).toBe(200);
    expect(body.connectionString).toBe(creds.urls.app_direct);
  });

  it("answers 404 for an organization without an active tenant (none, pending, suspended)", async () => {
    const owner = await createUser(sql, "decrypt-404");
    const empty = await createOrg(sql, [[owner, "owner"]], "decrypt-empty");
    expect((await call(owner, { organizationId: empty.id })).response.status).toBe(404);
    const pendingOrg = await createOrg(sql, [[owner, "owner"]], "decrypt-pending");
    await requestPendingTenant(sql, pendingOrg.id);
    const pending = await call(owner, { organizationId: pendingOrg.id });
    expect(pending.response.status).toBe(404);
    expect(pending.body.error?.code).toBe("NOT_FOUND");

    const suspendedOrg = await createOrg(sql, [[owner, "owner"]], "decrypt-suspended");
    const suspendedTenant = await provisionActiveTenant(sql, suspendedOrg.id, { app_pooled: fakeCredentials("susp").urls.app_pooled });
    await asService(sql, (tx) => transitionTenantStatus(tx, { tenantId: suspendedTenant, from: "active", to: "suspended", reason: "unpaid" }));
    expect((await call(owner, { organizationId: suspendedOrg.id })).response.status).toBe(404);
    // A stranger asking about a tenant-less organization learns nothing: 403, not 404.
    expect((await call(world.outsider, { organizationId: empty.id })).response.status).toBe(403);
  });

  it("validates the body strictly and never accepts ciphertext", async () => {
    const unknown = await call(world.owner, { organizationId: world.org.id, encryptedString: "abc" });
    expect(unknown.response.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("encryptedString") });
    expect((await call(world.owner, { organizationId: "acme" })).body.error?.code).toBe("VALIDATION_FAILED");
    expect((await call(world.owner, { organizationId: world.org.id, kind: "superuser" })).body.error?.code).toBe("VALIDATION_FAILED");
    expect((await call(world.owner, {})).response.status).toBe(400);
    const get = await call(world.owner, undefined, { method: "GET" });
    expect(get.response.status).toBe(405);
    expect(get.response.headers.get("cache-control")).toBe("no-store");
    const preflight = await handler(new Request("http://localhost/x", { method: "OPTIONS" }));
    expect(preflight.status).toBe(200);
  });

  it("rate-limits per user (429 RATE_LIMITED with Retry-After), independently for each user", async () => {
    const limited = makeHandler(3);
    const ok = [];
    for (let i = 0; i < 3; i++) ok.push((await call(world.admin, { organizationId: world.org.id }, { handle: limited.handler })).response.status);
    expect(ok).toEqual([200, 200, 200]);
    const refused = await call(world.admin, { organizationId: world.org.id }, { handle: limited.handler });
    expect(refused.response.status).toBe(429);
    expect(refused.body.error?.code).toBe("RATE_LIMITED");
    expect(refused.response.headers.get("retry-after")).toBe("6");
    expect(refused.response.headers.get("cache-control")).toBe("no-store");
    expect((await call(world.owner, { organizationId: world.org.id }, { handle: limited.handler })).response.status).toBe(200);
    limited.advance(6_000);
    expect((await call(world.admin, { organizationId: world.org.id }, { handle: limited.handler })).response.status).toBe(200);
  });

  it("audits every decrypt with the caller, kind, entry point and request id — and every refusal", async () => {
    const served: Array<[TestUser | "service", string]> = [];
    for (const [i, user] of [world.owner, world.admin, world.owner, "service" as const].entries()) {
      const requestId = `audit-ok-${i}-${crypto.randomUUID()}`;
      expect((await call(user, { organizationId: world.org.id, kind: i === 1 ? "owner_pooled" : "app_pooled" }, { requestId })).response.status).toBe(200);
      served.push([user, requestId]);
    }
    const deniedId = `audit-denied-${crypto.randomUUID()}`;
    expect((await call(world.member, { organizationId: world.org.id }, { requestId: deniedId })).response.status).toBe(403);

    const log = await asService(sql, (tx) => listAuditLog(tx, world.org.id, { limit: 1000 }));
    for (const [user, requestId] of served) {
      const rows = log.filter((r) => r.requestId === requestId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: "connection.read",
        entryPoint: "decrypt-connection-string",
        tenantId,
        actor: user === "service" ? "service_role" : user.id,
        actorUserId: user === "service" ? null : user.id,
      });
      expect(rows[0]!.details.kind).toBe(requestId.startsWith("audit-ok-1") ? "owner_pooled" : "app_pooled");
    }
    expect(log.filter((r) => r.requestId === deniedId)).toEqual([
      expect.objectContaining({ action: "connection.read_denied", actorUserId: world.member.id, entryPoint: "decrypt-connection-string", details: { kinds: ["app_pooled"], recorded_by: "service_role" } }),
    ]);
    // Every successful response of this file is matched by exactly one audit row.
    const okResponses = logs.lines.filter((l) => l.includes("connection string served") && l.includes(world.org.id)).length;
    expect(log.filter((r) => r.action === "connection.read" && r.entryPoint === "decrypt-connection-string")).toHaveLength(okResponses);
  });

  it("logs who asked, never the string", async () => {
    const served = logs.lines.filter((l) => l.includes("connection string served"));
    expect(served.length).toBeGreaterThan(0);
    const entry = JSON.parse(served[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: "info", fn: "decrypt-connection-string", organizationId: world.org.id });
    for (const line of logs.lines) {
      for (const password of Object.values(creds.passwords)) expect(line).not.toContain(password);
      expect(line).not.toContain("postgresql://");
    }
  });
});
