/**
 * Credential storage details: deterministic Vault names, rotation in place (update_secret), the
 * non-secret connection info, malformed strings refused without being echoed, and the Data API
 * guard on get_tenant_connection. Also health checks and the migrations ledger.
 */
import { describe, it, expect, afterAll } from "vitest";
import { asService, withCaller, type Sql } from "../../supabase/functions/_shared/db.ts";
import { deleteTenantCredentials, getTenantConnection, getTenantConnectionForTenant, getTenantConnectionInfo, storeTenantCredentials } from "../../supabase/functions/_shared/registry/credentials.ts";
import { claimTenantForProvisioning, getTenantStatus } from "../../supabase/functions/_shared/registry/tenants.ts";
import { listHealthChecks, recordHealthCheck, requestTenantHealthCheck } from "../../supabase/functions/_shared/registry/health.ts";
import { appliedTenantMigrations, recordTenantMigration } from "../../supabase/functions/_shared/registry/tenant-migrations.ts";
import { listAuditLog } from "../../supabase/functions/_shared/registry/audit.ts";
import { createWorld, fakeCredentials, provisionActiveTenant, registryClient, requestPendingTenant, userCaller } from "./fixtures.ts";

const sql: Sql = registryClient(4);
afterAll(() => sql.end());
const ctx = { entryPoint: "tests" };

describe("tenant credentials", () => {
  it("stores under tenant:<id>:<kind>, rotates in place with update_secret, and bumps credentials_version", async () => {
    const world = await createWorld(sql, "creds");
    const first = fakeCredentials("creds");
    const tenantId = await provisionActiveTenant(sql, world.org.id, { app_pooled: first.urls.app_pooled });
    const [before] = await sql`select app_pooled_secret_id as id, credentials_version as v from public.tenant_databases where id = ${tenantId}`;
    const [secret] = await sql`select name, nonce from vault.secrets where id = ${before!.id}`;
    expect(secret!.name).toBe(`tenant:${tenantId}:app_pooled`);

    const next = fakeCredentials("creds-next").urls.app_pooled;
    const id = await asService(sql, (tx) => storeTenantCredentials(tx, { tenantId, kind: "app_pooled", connectionString: next }, ctx));
    expect(id).toBe(before!.id);
    const [after] = await sql`select credentials_version as v, credentials_rotated_at from public.tenant_databases where id = ${tenantId}`;
    expect(after!.v).toBe(before!.v + 1);
    expect(after!.credentials_rotated_at).toBeInstanceOf(Date);
    expect(await withCaller(sql, userCaller(world.admin), (tx) => getTenantConnection(tx, { organizationId: world.org.id }, ctx))).toBe(next);
    const audit = await asService(sql, (tx) => listAuditLog(tx, world.org.id));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["credentials.stored", "credentials.rotated", "connection.read"]));
    expect(await sql`select 1 from vault.secrets where name = ${`tenant:${tenantId}:app_pooled`}`).toHaveLength(1);
  });

  it("reports the non-secret parts and which kinds are stored; NOT_FOUND for a kind not stored yet", async () => {
    const world = await createWorld(sql, "info");
    const creds = fakeCredentials("info");
    await provisionActiveTenant(sql, world.org.id, { owner_direct: creds.urls.owner_direct });
    const info = await withCaller(sql, userCaller(world.owner), (tx) => getTenantConnectionInfo(tx, world.org.id));
    expect(info.map((i) => [i.kind, i.stored])).toEqual([["owner_direct", true], ["owner_pooled", false], ["app_direct", false], ["app_pooled", false]]);
    expect(info[0]).toMatchObject({ username: "neondb_owner", port: 5432, database: "neondb", sslmode: "require", host: expect.stringMatching(/^ep-info-.*\.neon\.tech$/) });
    await expect(withCaller(sql, userCaller(world.owner), (tx) => getTenantConnection(tx, { organizationId: world.org.id, kind: "app_pooled" }, ctx)))
      .rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("app_pooled") });
    await expect(withCaller(sql, userCaller(world.owner), (tx) => getTenantConnection(tx, { organizationId: world.org.id, kind: "root" as never }, ctx)))
      .rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("refuses malformed connection strings without echoing them", async () => {
    const world = await createWorld(sql, "malformed");
    const tenantId = await requestPendingTenant(sql, world.org.id);
    for (const bad of ["mysql://u:supersecretpw@h/db", "postgresql://u:supersecretpw@h", "supersecretpw", "postgresql://u:super secretpw@h/db"]) {
      const error = await asService(sql, (tx) => storeTenantCredentials(tx, { tenantId, kind: "owner_direct", connectionString: bad }, ctx)).catch((e: Error) => e);
      expect(error).toMatchObject({ code: "VALIDATION_FAILED" });
      expect((error as Error).message).not.toContain("supersecretpw");
    }
  });

  it("service reads any non-deleted tenant's credentials (engine during provisioning); delete removes them", async () => {
    const world = await createWorld(sql, "svc");
    const creds = fakeCredentials("svc");
    const tenantId = await requestPendingTenant(sql, world.org.id);
    await asService(sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId: "svc-worker" }));
    await asService(sql, (tx) => storeTenantCredentials(tx, { tenantId, kind: "owner_direct", connectionString: creds.urls.owner_direct, workerId: "svc-worker" }, ctx));
    expect(await asService(sql, (tx) => getTenantConnectionForTenant(tx, { tenantId, kind: "owner_direct" }, { entryPoint: "provisioning-engine" }))).toBe(creds.urls.owner_direct);
    // Users only ever get active tenants.
    await expect(withCaller(sql, userCaller(world.owner), (tx) => getTenantConnection(tx, { organizationId: world.org.id, kind: "owner_direct" }, ctx))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(withCaller(sql, userCaller(world.owner), (tx) => getTenantConnectionForTenant(tx, { tenantId, kind: "owner_direct" }, ctx))).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await asService(sql, (tx) => deleteTenantCredentials(tx, { tenantId, workerId: "svc-worker" }, ctx))).toBe(1);
    await expect(asService(sql, (tx) => getTenantConnectionForTenant(tx, { tenantId, kind: "owner_direct" }, ctx))).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("is refused through the Data API (PostgREST sets request.path), even for owners", async () => {
    const world = await createWorld(sql, "dataapi");
    await provisionActiveTenant(sql, world.org.id, { app_pooled: fakeCredentials("dataapi").urls.app_pooled });
    await expect(withCaller(sql, userCaller(world.owner), async (tx) => {
      await tx`select set_config('request.path', '/rpc/get_tenant_connection', true)`;
      return getTenantConnection(tx, { organizationId: world.org.id }, { entryPoint: "decrypt-connection-string" });
    })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("not the Data API") });
  });
});

describe("health checks", () => {
  it("the checker records results; owners/admins request checks; members read the series", async () => {
    const world = await createWorld(sql, "health");
    const tenantId = await provisionActiveTenant(sql, world.org.id, { app_pooled: fakeCredentials("health").urls.app_pooled });
    await expect(withCaller(sql, userCaller(world.member), (tx) => requestTenantHealthCheck(tx, world.org.id, ctx))).rejects.toMatchObject({ code: "FORBIDDEN" });
    const requested = await withCaller(sql, userCaller(world.admin), (tx) => requestTenantHealthCheck(tx, world.org.id, { entryPoint: "graphql-v2", requestId: "hc-1" }));
    expect(requested.tenantId).toBe(tenantId);
    const again = await withCaller(sql, userCaller(world.owner), (tx) => requestTenantHealthCheck(tx, world.org.id, ctx));
    expect(again.requestedAt).toEqual(requested.requestedAt);
    await asService(sql, (tx) => recordHealthCheck(tx, { tenantId, status: "degraded", latencyMs: 950, checks: { connectivity: { ok: true }, latency: { ok: false } }, source: "requested" }));
    const status = await withCaller(sql, userCaller(world.member), (tx) => getTenantStatus(tx, world.org.id));
    expect(status).toMatchObject({ healthStatus: "degraded", healthCheckRequestedAt: null });
    const series = await withCaller(sql, userCaller(world.member), (tx) => listHealthChecks(tx, tenantId));
    expect(series.map((s) => s.status)).toEqual(["degraded", "healthy"]);
    expect(await withCaller(sql, userCaller(world.otherOwner), (tx) => listHealthChecks(tx, tenantId))).toEqual([]);
    await expect(withCaller(sql, userCaller(world.owner), (tx) => recordHealthCheck(tx, { tenantId, status: "healthy" }))).rejects.toMatchObject({ code: "FORBIDDEN" });
    const audit = await asService(sql, (tx) => listAuditLog(tx, world.org.id, { action: "tenant.health_check_requested" }));
    expect(audit).toEqual([expect.objectContaining({ actorUserId: world.admin.id, entryPoint: "graphql-v2", requestId: "hc-1" })]);
  });
});

describe("tenant migrations ledger", () => {
  it("records attempts, is idempotent for a repeated success and refuses checksum drift", async () => {
    const world = await createWorld(sql, "ledger");
    const tenantId = await requestPendingTenant(sql, world.org.id);
    const record = (version: string, checksum: string, success = true) =>
      asService(sql, (tx) => recordTenantMigration(tx, { tenantId, version, name: `v${version}`, checksum, durationMs: 12.4, success, errorCode: success ? null : "42P07", errorMessage: success ? null : "relation exists" }));
    const failed = await record("0001", "a".repeat(64), false);
    const ok = await record("0001", "a".repeat(64));
    expect(ok).not.toBe(failed);
    expect(await record("0001", "a".repeat(64))).toBe(ok);
    await expect(record("0001", "b".repeat(64))).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("drift") });
    await record("0002", "c".repeat(64));
    expect((await asService(sql, (tx) => appliedTenantMigrations(tx, tenantId))).map((m) => m.version)).toEqual(["0001", "0002"]);
    const rows = await withCaller(sql, userCaller(world.member), (tx) => tx`select version, success, duration_ms from public.tenant_migrations where tenant_id = ${tenantId} order by id`);
    expect(rows).toEqual([{ version: "0001", success: false, duration_ms: 12 }, { version: "0001", success: true, duration_ms: 12 }, { version: "0002", success: true, duration_ms: 12 }]);
    await expect(asService(sql, (tx) => recordTenantMigration(tx, { tenantId, version: "0003", checksum: "nope", durationMs: 1, success: true }))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});
