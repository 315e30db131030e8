/**
 * The tenant connection resolver: one client per organization, cached for ttlMs, revalidated
 * against credentials_version/status on every get, dropped on rotation and deprovisioning, and a
 * clear error for tenants that are not active.
 */
import { describe, it, expect, afterAll, inject } from "vitest";
import postgres from "postgres";
import { asService, type Sql } from "../../supabase/functions/_shared/db.ts";
import { createTenantConnectionResolver } from "../../supabase/functions/_shared/registry/tenant-connection-resolver.ts";
import { storeTenantCredentials } from "../../supabase/functions/_shared/registry/credentials.ts";
import { requestTenantDeprovisioning, transitionTenantStatus } from "../../supabase/functions/_shared/registry/tenants.ts";
import { listAuditLog } from "../../supabase/functions/_shared/registry/audit.ts";
import { createLogger } from "../../supabase/functions/_shared/log.ts";
import { captureLines, createOrg, createUser, fakeCredentials, provisionActiveTenant, registryClient, requestPendingTenant } from "./fixtures.ts";

const sql: Sql = registryClient(4);
afterAll(() => sql.end());

/** A connect() that records every URL and every end() (clients are lazy: no connection until a query). */
function recordingConnect() {
  const opened: Array<{ url: string; client: postgres.Sql; ended: boolean }> = [];
  const connect = (url: string) => {
    const client = postgres(url, { max: 1, prepare: false, onnotice: () => {}, connect_timeout: 5 });
    const record = { url, client, ended: false };
    const end = client.end.bind(client);
    client.end = (options) => {
      record.ended = true;
      return end(options);
    };
    opened.push(record);
    return client;
  };
  return { opened, connect };
}

async function activeOrg(label: string, urls?: Partial<Record<"app_pooled" | "owner_direct", string>>) {
  const owner = await createUser(sql, `${label}-owner`);
  const org = await createOrg(sql, [[owner, "owner"]], label);
  const creds = fakeCredentials(label);
  const tenantId = await provisionActiveTenant(sql, org.id, urls ?? { app_pooled: creds.urls.app_pooled });
  return { org, tenantId, creds };
}

describe("tenant connection resolver", () => {
  it("returns a working client for the tenant (real connection) and audits the decrypt as service_role", async () => {
    const { org } = await activeOrg("resolver-real", { app_pooled: inject("dbUrl") });
    const { connect, opened } = recordingConnect();
    const resolver = createTenantConnectionResolver({ registrySql: sql, connect, entryPoint: "graphql-v2" });
    try {
      const tenant = await resolver.get(org.id);
      const [row] = await tenant`select 41 + 1 as answer`;
      expect(row!.answer).toBe(42);
      expect(opened).toHaveLength(1);
      const reads = await asService(sql, (tx) => listAuditLog(tx, org.id, { action: "connection.read" }));
      expect(reads).toEqual([expect.objectContaining({ actor: "service_role", entryPoint: "graphql-v2", details: expect.objectContaining({ kind: "app_pooled" }) })]);
    } finally {
      await resolver.close();
    }
  });

  it("caches within the TTL (one decrypt, one client) and reconnects after it", async () => {
    const { org, creds } = await activeOrg("resolver-ttl");
    const { connect, opened } = recordingConnect();
    let clock = 0;
    const resolver = createTenantConnectionResolver({ registrySql: sql, connect, ttlMs: 60_000, now: () => clock });
    const first = await resolver.get(org.id);
    clock += 30_000;
    expect(await resolver.get(org.id)).toBe(first);
    const parallel = await Promise.all([resolver.get(org.id), resolver.get(org.id), resolver.get(org.id)]);
    expect(new Set(parallel)).toEqual(new Set([first]));
    expect(opened).toHaveLength(1);
    expect(opened[0]!.url).toBe(creds.urls.app_pooled);
    expect(await asService(sql, (tx) => listAuditLog(tx, org.id, { action: "connection.read" }))).toHaveLength(1);

    clock += 31_000;
    const second = await resolver.get(org.id);
    expect(second).not.toBe(first);
    expect(opened).toHaveLength(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(opened[0]!.ended).toBe(true);
    await resolver.close();
    expect(opened[1]!.ended).toBe(true);
  });

  it("notices a rotation made elsewhere (credentials_version) and uses the new string", async () => {
    const { org, tenantId } = await activeOrg("resolver-rotate");
    const { connect, opened } = recordingConnect();
    const resolver = createTenantConnectionResolver({ registrySql: sql, connect, ttlMs: 600_000 });
    const before = await resolver.get(org.id);
    const rotated = fakeCredentials("rotated").urls.app_pooled;
    // Another isolate (the engine) rotates the password.
    await asService(sql, (tx) => storeTenantCredentials(tx, { tenantId, kind: "app_pooled", connectionString: rotated }, { entryPoint: "tests" }));
    const after = await resolver.get(org.id);
    expect(after).not.toBe(before);
    expect(opened.map((o) => o.url)).toEqual([opened[0]!.url, rotated]);
    expect(opened[0]!.ended).toBe(true);
    await resolver.close();
  });

  it("drops the client and refuses once the tenant is being deprovisioned (TENANT_NOT_ACTIVE)", async () => {
    const { org } = await activeOrg("resolver-deprov");
    const { connect, opened } = recordingConnect();
    const resolver = createTenantConnectionResolver({ registrySql: sql, connect, ttlMs: 600_000 });
    await resolver.get(org.id);
    await asService(sql, (tx) => requestTenantDeprovisioning(tx, org.id, "test", { entryPoint: "tests" }));
    await expect(resolver.get(org.id)).rejects.toMatchObject({
      code: "TENANT_NOT_ACTIVE",
      status: 409,
      message: expect.stringContaining("deprovisioning, not active"),
      details: expect.objectContaining({ status: "deprovisioning" }),
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(opened[0]!.ended).toBe(true);
  });

  it("gives TENANT_NOT_ACTIVE for pending and suspended tenants and NOT_FOUND without a tenant", async () => {
    const owner = await createUser(sql, "resolver-states");
    const none = await createOrg(sql, [[owner, "owner"]], "resolver-none");
    const pending = await createOrg(sql, [[owner, "owner"]], "resolver-pending");
    await requestPendingTenant(sql, pending.id);
    const { org: suspended, tenantId } = await activeOrg("resolver-suspended");
    await asService(sql, (tx) => transitionTenantStatus(tx, { tenantId, from: "active", to: "suspended" }));
    const { connect, opened } = recordingConnect();
    const resolver = createTenantConnectionResolver({ registrySql: sql, connect });
    await expect(resolver.get(none.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(resolver.get(pending.id)).rejects.toMatchObject({ code: "TENANT_NOT_ACTIVE", details: expect.objectContaining({ status: "pending" }) });
    await expect(resolver.get(suspended.id)).rejects.toMatchObject({ code: "TENANT_NOT_ACTIVE", details: expect.objectContaining({ status: "suspended" }) });
    expect(opened).toHaveLength(0);
    // Resumed: works again.
    await asService(sql, (tx) => transitionTenantStatus(tx, { tenantId, from: "suspended", to: "active" }));
    await resolver.get(suspended.id);
    expect(opened).toHaveLength(1);
    await resolver.close();
  });

  it("invalidate() closes the client at once; the next get decrypts again", async () => {
    const { org } = await activeOrg("resolver-invalidate");
    const { connect, opened } = recordingConnect();
    const lines = captureLines();
    const resolver = createTenantConnectionResolver({ registrySql: sql, connect, logger: createLogger({}, lines.write, "debug") });
    const first = await resolver.get(org.id);
    await resolver.invalidate(org.id);
    expect(opened[0]!.ended).toBe(true);
    expect(await resolver.get(org.id)).not.toBe(first);
    expect(opened).toHaveLength(2);
    await resolver.close();
    expect(lines.lines.some((l) => l.includes("invalidated"))).toBe(true);
    for (const line of lines.lines) expect(line).not.toContain("postgresql://");
  });

  it("keeps at most maxEntries clients", async () => {
    const orgs = await Promise.all([1, 2, 3].map((i) => activeOrg(`resolver-lru-${i}`)));
    const { connect, opened } = recordingConnect();
    const resolver = createTenantConnectionResolver({ registrySql: sql, connect, maxEntries: 2 });
    for (const { org } of orgs) await resolver.get(org.id);
    await new Promise((resolve) => setImmediate(resolve));
    expect(opened.map((o) => o.ended)).toEqual([true, false, false]);
    await resolver.close();
  });
});
