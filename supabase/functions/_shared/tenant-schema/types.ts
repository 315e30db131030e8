/**
 * The tenant schema as shipped inside the functions bundle (edge functions cannot read files at
 * runtime): tenant-schema/build.ts turns tenant-schema/**\/*.sql into bundle.generated.ts.
 */

export interface TenantMigration {
  /** Four digits, from the file name (`0001_core_commerce.sql` → `0001`). Sorts as text. */
  version: string;
  /** Snake-case name from the file name. */
  name: string;
  sql: string;
  /** SHA-256 (hex) of `sql` (line endings normalised to \n). */
  checksum: string;
}

export interface TenantSeed {
  /** File name without `.sql`, e.g. `0001_store_settings`; the identity a tenant records. */
  name: string;
  sql: string;
  checksum: string;
}

export interface TenantSchemaBundle {
  /** Ascending by version, contiguous from 0001. */
  migrations: TenantMigration[];
  /** In file-name order. */
  seed: TenantSeed[];
  /** Version of the last migration. */
  latestVersion: string;
}
