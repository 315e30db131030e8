/**
 * After provisioning fixture tenants (all four credential kinds, a rotation, failures whose
 * messages carry a connection string, decrypts through the function and the resolver), no
 * registry table and no captured function log holds a plaintext connection string or password.
 * Vault holds them, encrypted.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from "vitest";
import postgres from "postgres";
import { createAuthenticator } from "../../supabase/functions/_shared/auth.ts";
import { asService, withCaller, type Sql } from "../../supabase/functions/_shared/db.ts";
import { createLogger } from "../../supabase/functions/_shared/log.ts";
import { createTokenBucketRateLimiter } from "../../supabase/functions/_shared/rate-limit.ts";
import { createDecryptConnectionStringHandler } from "../../supabase/functions/_shared/handlers/decrypt-connection-string.ts";
import { createTenantConnectionResolver } from "../../supabase/functions/_shared/registry/tenant-connection-resolver.ts";
import { storeTenantCredentials, getTenantConnection, getTenantConnectionInfo } from "../../supabase/functions/_shared/registry/credentials.ts";
import { claimTenantForProvisioning, recordProvisioningStep, transitionTenantStatus } from "../../supabase/functions/_shared/registry/tenants.ts";
import { recordHealthCheck } from "../../supabase/functions/_shared/registry/health.ts";
import { recordTenantMigration } from "../../supabase/functions/_shared/registry/tenant-migrations.ts";
import { recordAuditEvent } from "../../supabase/functions/_shared/registry/audit.ts";
import { userToken } from "../../local/supabase/keys.ts";
import { CREDENTIAL_KINDS } from "../../supabase/functions/_shared/registry/types.ts";
import { captureLines, createWorld, fakeCredentials, provisionActiveTenant, registryClient, requestPendingTenant, superuserClient, userCaller, type OrgWorld } from "./fixtures.ts";

const sql: Sql = registryClient(4);
const superuser = superuserClient();
afterAll(() => Promise.all([sql.end(), superuser.end()]));
const keys = inject("keys");

const secrets: string[] = [];
/** The connection strings that must currently be in Vault (stored, not replaced by a rotation). */
const inVault: string[] = [];
const logs = captureLines();
let world: OrgWorld;

beforeAll(async () => {
  world = await createWorld(sql, "scan");
  const logger = createLogger({ fn: "decrypt-connection-string" }, logs.write, "debug");

  // 1. A tenant provisioned normally, every kind stored, then one rotated.
  const first = fakeCredentials("scan-a");
  const tenantA = await provisionActiveTenant(sql, world.org.id, first.urls);
  const rotated = fakeCredentials("scan-rot");
  await asService(sql, (tx) => storeTenantCredentials(tx, { tenantId: tenantA, kind: "app_pooled", connectionString: rotated.urls.app_pooled }, { entryPoint: "tests" }));
  secrets.push(...Object.values(first.urls), ...Object.values(first.passwords), rotated.urls.app_pooled, rotated.passwords.app_pooled);
  inVault.push(first.urls.owner_direct, first.urls.owner_pooled, first.urls.app_direct, rotated.urls.app_pooled);

  // 2. A tenant whose workers misbehave: errors, health results, migration failures and audit
  //    details that carry the connection string. The registry must redact them.
  const leaky = fakeCredentials("scan-leak");
  secrets.push(...Object.values(leaky.urls), ...Object.values(leaky.passwords));
  inVault.push(...Object.values(leaky.urls));
  const tenantB = await requestPendingTenant(sql, world.otherOrg.id);
  const workerId = "leaky-worker";
  await asService(sql, async (tx) => {
    await claimTenantForProvisioning(tx, { tenantId: tenantB, workerId });
    await recordProvisioningStep(tx, { tenantId: tenantB, step: "create_database", state: "running", workerId, details: { uri: leaky.urls.owner_direct } });
    await recordProvisioningStep(tx, { tenantId: tenantB, step: "create_database", state: "succeeded", workerId });
    await recordProvisioningStep(tx, { tenantId: tenantB, step: "wait_for_operations", state: "skipped", workerId });
    await recordProvisioningStep(tx, { tenantId: tenantB, step: "store_credentials", state: "running", workerId });
    for (const kind of CREDENTIAL_KINDS) await storeTenantCredentials(tx, { tenantId: tenantB, kind, connectionString: leaky.urls[kind], workerId });
    await recordProvisioningStep(tx, { tenantId: tenantB, step: "store_credentials", state: "succeeded", workerId });
    await recordProvisioningStep(tx, { tenantId: tenantB, step: "apply_migrations", state: "running", workerId });
    await recordTenantMigration(tx, { tenantId: tenantB, version: "0001", name: "init", checksum: "a".repeat(64), durationMs: 5, success: false, errorCode: "28P01", errorMessage: `password authentication failed for ${leaky.urls.app_direct}` });
    await recordProvisioningStep(tx, {
      tenantId: tenantB, step: "apply_migrations", state: "failed", workerId, errorCode: "migration_failed",
      errorMessage: `connect ${leaky.urls.owner_direct} failed; password=${leaky.passwords.owner_direct}`,
    });
    await recordHealthCheck(tx, { tenantId: tenantB, status: "unhealthy", errorCode: "connect", errorMessage: `could not reach ${leaky.urls.app_pooled}`, checks: { dsn: leaky.urls.app_pooled } });
    await transitionTenantStatus(tx, { tenantId: tenantB, from: "provisioning", to: "failed", workerId, reason: `gave up on ${leaky.urls.owner_pooled}` });
    await recordAuditEvent(tx, { action: "tenant.debugged", organizationId: world.otherOrg.id, tenantId: tenantB, details: { connection_string: leaky.urls.owner_direct } }, { entryPoint: "tests" });
  });

  // 3. Reads through every path: SQL as owner, the function (incl. refusals), the resolver.
  await withCaller(sql, userCaller(world.owner), async (tx) => {
    await getTenantConnection(tx, { organizationId: world.org.id }, { entryPoint: "tests" });
    await getTenantConnectionInfo(tx, world.org.id);
  });
  const handler = createDecryptConnectionStringHandler({
    sql, logger, authenticate: createAuthenticator({ jwks: keys.jwks, secretKeys: [keys.secretKey] }),
    rateLimiter: createTokenBucketRateLimiter({ capacity: 100, refillPerSecond: 10 }),
  });
  for (const [user, kind] of [[world.owner, "owner_direct"], [world.admin, "app_pooled"], [world.member, "app_pooled"], [world.otherOwner, "owner_direct"]] as const) {
    await handler(new Request("http://localhost/decrypt-connection-string", {
      method: "POST",
      headers: { authorization: `Bearer ${await userToken(keys, user)}`, "content-type": "application/json" },
      body: JSON.stringify({ organizationId: world.org.id, kind }),
    }));
  }
  const resolver = createTenantConnectionResolver({ registrySql: sql, connect: (url) => postgres(url, { max: 1, onnotice: () => {} }) /* fake Neon host: never queried, so never connects */, logger: createLogger({ fn: "resolver" }, logs.write, "debug") });
  await resolver.get(world.org.id);
  await resolver.invalidate(world.org.id);
}, 60_000);


describe("no plaintext credentials outside Vault", () => {
  it("fixtures really produced secrets to look for", () => {
    expect(secrets.length).toBeGreaterThanOrEqual(18);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it("no column of any table in public, private, audit or supabase_migrations holds a connection string or password", async () => {
    const tables = await superuser<{ schema: string; name: string }[]>`
      select n.nspname as schema, c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname in ('public', 'private', 'audit', 'supabase_migrations')
      order by 1, 2`;
    expect(tables.map((t) => `${t.schema}.${t.name}`)).toEqual(expect.arrayContaining([
      "public.audit_log", "public.organizations", "public.organization_members", "public.provisioning_events",
      "public.tenant_databases", "public.tenant_health_checks", "public.tenant_migrations", "public.tenant_status_transitions",
    ]));
    const hits: string[] = [];
    for (const table of tables) {
      const rows = await superuser.unsafe(`select t::text as row from ${quoteIdent(table.schema)}.${quoteIdent(table.name)} t`);
      for (const { row } of rows as unknown as Array<{ row: string }>) {
        for (const secret of secrets) if (row.includes(secret)) hits.push(`${table.schema}.${table.name}: ${secret.slice(0, 24)}…`);
      }
    }
    expect(hits).toEqual([]);
  });

  it("control: the same matcher over vault.decrypted_secrets finds every stored connection string", async () => {
    const rows = await superuser.unsafe(`select t::text as row from vault.decrypted_secrets t where t.name like 'tenant:%'`);
    const text = (rows as unknown as Array<{ row: string }>).map((r) => r.row).join("\n");
    expect(inVault).toHaveLength(8);
    for (const secret of inVault) expect(text).toContain(secret);
  });

  it("what the registry kept instead is redacted (***) and the non-secret parts", async () => {
    const [event] = await superuser`select error_message from public.provisioning_events where organization_id = ${world.otherOrg.id} and step_state = 'failed'`;
    expect(event!.error_message).toMatch(/^connect postgresql:\/\/neondb_owner:\*\*\*@ep-scan-leak-[0-9a-f]+\.eu-central-1\.aws\.neon\.tech\/neondb\?sslmode=require&channel_binding=require failed; password=\*\*\*$/);
    const [tenant] = await superuser`select connection_info from public.tenant_databases where organization_id = ${world.org.id} and status = 'active'`;
    expect(Object.keys(tenant!.connection_info).sort()).toEqual([...CREDENTIAL_KINDS].sort());
    expect(tenant!.connection_info.app_pooled).toMatchObject({ user: "tenant_app", database: "neondb", port: 5432, sslmode: "require" });
  });

  it("Vault stores only ciphertext, under the deterministic names", async () => {
    const rows = await superuser<{ name: string; secret: string; description: string }[]>`
      select s.name, s.secret, s.description from vault.secrets s
      where s.name like 'tenant:%' and s.name in (
        select 'tenant:' || d.id || ':' || k from public.tenant_databases d, unnest(array['owner_direct','owner_pooled','app_direct','app_pooled']) k
        where d.organization_id in (${world.org.id}, ${world.otherOrg.id}))`;
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      expect(row.name).toMatch(/^tenant:[0-9a-f-]{36}:(owner|app)_(direct|pooled)$/);
      for (const secret of secrets) {
        expect(row.secret).not.toContain(secret);
        expect(Buffer.from(row.secret, "base64").toString("latin1")).not.toContain(secret);
        expect(row.description).not.toContain(secret);
      }
    }
  });

  it("captured function logs (decrypt handler, resolver) hold no connection string or password", () => {
    expect(logs.lines.some((l) => l.includes("connection string served"))).toBe(true);
    expect(logs.lines.some((l) => l.includes("connection string refused"))).toBe(true);
    expect(logs.lines.some((l) => l.includes("tenant connection opened"))).toBe(true);
    for (const line of logs.lines) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
