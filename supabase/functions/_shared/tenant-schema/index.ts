/** Public surface of the tenant schema: the bundle, the runner and the app-role grants. */
export { tenantSchema } from "./bundle.generated.ts";
export type { TenantMigration, TenantSchemaBundle, TenantSeed } from "./types.ts";
export { applyTenantMigrations, applyTenantSeed, type AppliedMigration, type ApplyMigrationsOptions, type ApplyMigrationsResult, type ApplySeedOptions, type ApplySeedResult } from "./runner.ts";
export { grantAppRole } from "./grants.ts";
export { TenantSchemaError, type TenantSchemaFailure } from "./errors.ts";
export { TENANT_SCHEMA_LOCK_KEY } from "./session.ts";
