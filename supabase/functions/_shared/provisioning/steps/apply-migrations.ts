/**
 * Step apply_migrations: the bundled tenant schema, as the owner, under the runner's advisory
 * lock; each applied migration is copied into the central `tenant_migrations` ledger (onApplied).
 * A crash between a tenant commit and its ledger row is healed here: every version in the tenant's
 * own `schema_migrations` that the central ledger lacks is recorded (recording is idempotent).
 * Then the app role gets row privileges only (grantAppRole: no DDL).
 */
import { appliedTenantMigrations, recordTenantMigration } from "../../registry/tenant-migrations.ts";
import { applyTenantMigrations, grantAppRole } from "../../tenant-schema/index.ts";
import { ProvisioningStepError } from "../failures.ts";
import type { StepFn } from "../types.ts";

export const applyMigrations: StepFn = async (ctx) => {
  const tenantId = ctx.tenant.id;
  // The login name on the server (Neon's role name; the emulator's differs per branch).
  const appRole = ctx.tenant.connection_info.app_direct?.user;
  if (!appRole) throw new ProvisioningStepError("CREDENTIALS_UNAVAILABLE", "No app role credential is stored for this tenant.");
  const record = async (m: { version: string; name: string; checksum: string; durationMs: number }): Promise<void> => {
    await ctx.registry((tx) => recordTenantMigration(tx, { tenantId, version: m.version, name: m.name, checksum: m.checksum, durationMs: m.durationMs, success: true }));
  };

  const result = await ctx.withTenantDb("owner_direct", async (sql) => {
    const applied = await applyTenantMigrations({ sql, migrations: ctx.deps.schema.migrations, now: () => new Date(ctx.deps.now()), onApplied: record });
    await grantAppRole(sql, appRole);
    return applied;
  });
  const central = new Set((await ctx.registry((tx) => appliedTenantMigrations(tx, tenantId))).map((m) => m.version));
  const healed = result.history.filter((m) => !central.has(m.version));
  for (const m of healed) await record(m);
  return { applied: result.applied.map((m) => m.version), currentVersion: result.currentVersion, ledgerHealed: healed.map((m) => m.version) };
};
