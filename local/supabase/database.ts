/**
 * Brings a local Postgres to the state of a Supabase project's database: the platform stand-in
 * (roles, auth, vault — local only, never a migration), then every file of supabase/migrations in
 * order, tracked with a checksum like `supabase db push` (a changed, already-applied migration is
 * an error), then optionally supabase/seed.sql.
 */
import postgres from "postgres";
import { sha256 } from "../../tenant-schema/build.ts";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const STANDIN_DIR = join(REPO_ROOT, "local", "supabase", "standin");
export const MIGRATIONS_DIR = join(REPO_ROOT, "supabase", "migrations");
export const SEED_FILE = join(REPO_ROOT, "supabase", "seed.sql");

const MIGRATION_NAME = /^(\d{14})_([a-z0-9_]+)\.sql$/;

export interface Migration { version: string; name: string; file: string; sql: string; checksum: string }

function quiet(url: string) {
  return postgres(url, { max: 1, onnotice: () => {}, prepare: false });
}

/** Reads supabase/migrations, refusing names that are not `<14-digit timestamp>_<snake_name>.sql`. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
  return files.map((file) => {
    const match = MIGRATION_NAME.exec(file);
    if (!match) throw new Error(`Migration file name '${file}' must look like 20250101120000_snake_case_name.sql`);
    const sql = readFileSync(join(dir, file), "utf8");
    return { version: match[1]!, name: match[2]!, file, sql, checksum: sha256(sql) };
  });
}

/** Applies the stand-in files (as the cluster superuser) and stores the vault root key. */
export async function applyStandin(superuserUrl: string, options: { postgresPassword: string; vaultKeyHex: string }): Promise<void> {
  const sql = quiet(superuserUrl);
  try {
    // Concurrent first starts (parallel test workers) must not race on CREATE ROLE.
    await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('local-supabase-standin'))`;
      for (const file of readdirSync(STANDIN_DIR).filter((f) => f.endsWith(".sql")).sort()) {
        await tx.unsafe(readFileSync(join(STANDIN_DIR, file), "utf8"));
      }
      // Passed as bind parameters, so neither value is in any SQL text or statement log.
      await tx`select set_config('local.postgres_password', ${options.postgresPassword}, true)`;
      await tx.unsafe(`do $$ begin execute format('alter role postgres password %L', current_setting('local.postgres_password')); end $$`);
      const [vault] = await tx`select to_regclass('vault._root_key') is not null as present`;
      if (vault?.present) {
        await tx`insert into vault._root_key (id, key) values (1, decode(${options.vaultKeyHex}, 'hex')) on conflict (id) do nothing`;
      }
    });
  } finally {
    await sql.end();
  }
}

export interface MigrationResult { applied: string[]; skipped: string[] }

/**
 * Applies pending migrations as `postgres` (not a superuser, as on hosted Supabase), each in its
 * own transaction. Tracking lives in supabase_migrations.schema_migrations, as the CLI's does.
 */
export async function applyMigrations(databaseUrl: string, migrations = readMigrations(), log: (line: string) => void = () => {}): Promise<MigrationResult> {
  const sql = quiet(databaseUrl);
  const result: MigrationResult = { applied: [], skipped: [] };
  try {
    await sql.unsafe(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text primary key, name text not null, checksum text not null, applied_at timestamptz not null default now()
      );`);
    const applied = new Map((await sql<{ version: string; checksum: string; name: string }[]>`select version, name, checksum from supabase_migrations.schema_migrations`).map((r) => [r.version, r]));
    const known = new Set(migrations.map((m) => m.version));
    for (const version of applied.keys()) {
      if (!known.has(version)) throw new Error(`Migration ${version}_${applied.get(version)!.name} is applied to the database but missing from supabase/migrations. Restore the file, or reset the local database (delete .local/).`);
    }
    for (const migration of migrations) {
      const previous = applied.get(migration.version);
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.file} was changed after it was applied. Migrations are append-only: revert the edit and add a new migration instead (or reset the local database by deleting .local/).`);
        }
        result.skipped.push(migration.file);
        continue;
      }
      await sql.begin(async (tx) => {
        await tx.unsafe(migration.sql);
        await tx`insert into supabase_migrations.schema_migrations (version, name, checksum) values (${migration.version}, ${migration.name}, ${migration.checksum})`;
      }).catch((error: Error) => {
        throw new Error(`Migration ${migration.file} failed: ${error.message}`);
      });
      log(`applied ${migration.file}`);
      result.applied.push(migration.file);
    }
  } finally {
    await sql.end();
  }
  return result;
}

/** Runs supabase/seed.sql as the superuser (seed data includes auth.users, as `supabase db reset` does). */
export async function applySeed(superuserUrl: string, database = "postgres"): Promise<void> {
  if (!existsSync(SEED_FILE)) return;
  const sql = quiet(withDatabase(superuserUrl, database));
  try {
    await sql.begin((tx) => tx.unsafe(readFileSync(SEED_FILE, "utf8")));
  } finally {
    await sql.end();
  }
}

/** The same URL with another user/password and/or database. */
export function withDatabase(url: string, database: string, user?: { name: string; password: string }): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (user) {
    parsed.username = encodeURIComponent(user.name);
    parsed.password = encodeURIComponent(user.password);
  }
  return parsed.toString();
}
