/**
 * Brings one tenant database to the bundled schema. Runs as the database owner, under the tenant
 * schema lock (session.ts), so concurrent runners (a retried provisioning step, a fleet rollout)
 * apply each migration exactly once: the second waits, then finds nothing pending.
 *
 * Rules: an applied migration must be byte-identical to the bundled one (checksum), the database
 * must not know versions this build lacks, and each pending migration commits in its own
 * transaction together with its `schema_migrations` row, so a failure leaves the tenant at the
 * last good version. `onApplied` runs after each commit (the engine copies the record into the
 * central ledger); if it throws, the migration stays applied and the error propagates: the
 * returned/queried `history` is the truth to reconcile the central ledger from.
 */
import type postgres from "postgres";
import type { TenantMigration, TenantSeed } from "./types.ts";
import { TenantSchemaError, sqlstateOf } from "./errors.ts";
import { DEFAULT_LOCK_TIMEOUT_MS, inTransaction, withTenantSchemaLock, type Connection } from "./session.ts";
import { MIGRATIONS_TABLE, SEEDS_TABLE, ensureLedgerTable, ledgerTableExists } from "./ledger.ts";

export interface AppliedMigration {
  version: string;
  name: string;
  checksum: string;
  appliedAt: Date;
  durationMs: number;
}

export interface ApplyMigrationsOptions {
  /** The tenant database, connected as its owner. */
  sql: postgres.Sql;
  /** Usually `tenantSchema.migrations` from bundle.generated.ts. */
  migrations: readonly TenantMigration[];
  now: () => Date;
  /** Called after each migration commits, still under the lock. */
  onApplied?: (record: AppliedMigration) => Promise<void>;
  /** How long to wait for a concurrent runner. @default 60000 */
  lockTimeoutMs?: number;
}

export interface ApplyMigrationsResult {
  /** Migrations applied by this call, in order. */
  applied: AppliedMigration[];
  /** Highest applied version, or null for an empty database. */
  currentVersion: string | null;
  /** Everything `schema_migrations` holds after this call. */
  history: AppliedMigration[];
}

interface LedgerRow {
  version: string;
  name: string;
  checksum: string;
  applied_at: Date;
  duration_ms: number;
}

const short = (checksum: string) => checksum.slice(0, 12);

function assertOrdered(migrations: readonly TenantMigration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version <= migrations[i - 1]!.version) {
      throw new Error(`Tenant migrations must be in ascending version order without duplicates (${migrations[i - 1]!.version} then ${migrations[i]!.version}).`);
    }
  }
}

async function readHistory(conn: Connection): Promise<AppliedMigration[]> {
  const rows = await conn<LedgerRow[]>`select version, name, checksum, applied_at, duration_ms from public.schema_migrations order by version`;
  return rows.map((r) => ({ version: r.version, name: r.name, checksum: r.checksum, appliedAt: r.applied_at, durationMs: r.duration_ms }));
}

/** Refuses a database whose applied migrations differ from, or go beyond, this build. */
function verifyHistory(history: readonly AppliedMigration[], bundled: ReadonlyMap<string, TenantMigration>): void {
  for (const row of history) {
    const migration = bundled.get(row.version);
    if (!migration) {
      throw new TenantSchemaError("unknown_version", `This tenant database has migration ${row.version}_${row.name}, which this build does not contain. Deploy the build that has it (released migrations are never removed).`, { subject: row.version });
    }
    if (migration.checksum !== row.checksum) {
      throw new TenantSchemaError("checksum_mismatch", `Tenant migration ${row.version}_${row.name} was changed after it was applied to this database (applied ${short(row.checksum)}…, bundled ${short(migration.checksum)}…). Released migrations are append-only: restore the original file, put the change in a new migration, and rebuild the bundle.`, { subject: row.version });
    }
  }
}

export async function applyTenantMigrations(options: ApplyMigrationsOptions): Promise<ApplyMigrationsResult> {
  assertOrdered(options.migrations);
  const bundled = new Map(options.migrations.map((m) => [m.version, m]));
  return withTenantSchemaLock(options.sql, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, async (conn) => {
    await ensureLedgerTable(conn, MIGRATIONS_TABLE);
    const before = await readHistory(conn);
    verifyHistory(before, bundled);
    const done = new Set(before.map((r) => r.version));
    const applied: AppliedMigration[] = [];
    for (const migration of options.migrations) {
      if (done.has(migration.version)) continue;
      const started = options.now();
      const record = await inTransaction(conn, async () => {
        await conn.unsafe(migration.sql);
        const appliedAt = options.now();
        const rec: AppliedMigration = { version: migration.version, name: migration.name, checksum: migration.checksum, appliedAt, durationMs: Math.max(0, appliedAt.getTime() - started.getTime()) };
        await conn`insert into public.schema_migrations (version, name, checksum, applied_at, duration_ms) values (${rec.version}, ${rec.name}, ${rec.checksum}, ${rec.appliedAt}, ${rec.durationMs})`;
        return rec;
      }).catch((error: unknown) => {
        throw new TenantSchemaError("migration_failed", `Tenant migration ${migration.version}_${migration.name} failed and was rolled back (${sqlstateOf(error) ?? "no SQLSTATE"}: ${(error as Error).message}). The database stays at the previous version; fix the migration in a new build.`, { subject: migration.version, sqlstate: sqlstateOf(error), cause: error });
      });
      applied.push(record);
      await options.onApplied?.(record);
    }
    const history = await readHistory(conn);
    return { applied, currentVersion: history.at(-1)?.version ?? null, history };
  });
}

export interface ApplySeedOptions {
  /** The tenant database, connected as its owner, already migrated. */
  sql: postgres.Sql;
  /** Usually `tenantSchema.seed` from bundle.generated.ts. */
  seed: readonly TenantSeed[];
  now: () => Date;
  /** @default 60000 */
  lockTimeoutMs?: number;
}

export interface ApplySeedResult {
  /** Seed files applied by this call. */
  applied: string[];
  /** Seed files this database already had. */
  skipped: string[];
  /** Among `skipped`: files whose content changed since this database got them (not re-run). */
  changed: string[];
}

/**
 * Applies each seed file once per tenant database, in order, each in its own transaction with its
 * `schema_seeds` row. Once recorded, a file is never re-run (a store may have edited or deleted
 * the defaults since); a changed file is only reported. New defaults go in a new seed file. The
 * seed SQL itself is also idempotent (`on conflict do nothing`), so a lost record is harmless.
 */
export async function applyTenantSeed(options: ApplySeedOptions): Promise<ApplySeedResult> {
  return withTenantSchemaLock(options.sql, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, async (conn) => {
    if (!(await ledgerTableExists(conn, MIGRATIONS_TABLE))) {
      throw new TenantSchemaError("not_migrated", "This tenant database has no schema yet: apply the tenant migrations before the seed.");
    }
    await ensureLedgerTable(conn, SEEDS_TABLE);
    const recorded = new Map((await conn<{ name: string; checksum: string }[]>`select name, checksum from public.schema_seeds`).map((r) => [r.name, r.checksum]));
    const result: ApplySeedResult = { applied: [], skipped: [], changed: [] };
    for (const file of options.seed) {
      const checksum = recorded.get(file.name);
      if (checksum !== undefined) {
        result.skipped.push(file.name);
        if (checksum !== file.checksum) result.changed.push(file.name);
        continue;
      }
      await inTransaction(conn, async () => {
        await conn.unsafe(file.sql);
        await conn`insert into public.schema_seeds (name, checksum, applied_at) values (${file.name}, ${file.checksum}, ${options.now()})`;
      }).catch((error: unknown) => {
        throw new TenantSchemaError("seed_failed", `Tenant seed ${file.name} failed and was rolled back (${sqlstateOf(error) ?? "no SQLSTATE"}: ${(error as Error).message}). Fix it in a new build.`, { subject: file.name, sqlstate: sqlstateOf(error), cause: error });
      });
      result.applied.push(file.name);
    }
    return result;
  });
}
