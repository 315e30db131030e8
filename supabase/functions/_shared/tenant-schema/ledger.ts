/**
 * The tenant database's own record of its schema: `public.schema_migrations` and
 * `public.schema_seeds`. They are the source of truth for what a tenant has; the central
 * `tenant_migrations` ledger is a copy the engine keeps through `onApplied`.
 *
 * Only the owner (the runner) may write them. The app role may read them (to show the schema
 * version) but must not be able to mark a migration as applied: when a ledger table is created
 * after `grantAppRole` set default privileges, those grants are taken back here.
 */
import type postgres from "postgres";
import { inTransaction, type Connection } from "./session.ts";

export const MIGRATIONS_TABLE = "schema_migrations";
export const SEEDS_TABLE = "schema_seeds";
export type LedgerTable = typeof MIGRATIONS_TABLE | typeof SEEDS_TABLE;

const DDL: Record<LedgerTable, string> = {
  [MIGRATIONS_TABLE]: `
    create table public.schema_migrations (
      version text primary key check (version ~ '^[0-9]{4}$'),
      name text not null,
      checksum text not null check (checksum ~ '^[0-9a-f]{64}$'),
      applied_at timestamptz not null,
      duration_ms integer not null check (duration_ms >= 0)
    );
    comment on table public.schema_migrations is 'Tenant schema migrations applied to this database (written by the control plane only).';`,
  [SEEDS_TABLE]: `
    create table public.schema_seeds (
      name text primary key,
      checksum text not null check (checksum ~ '^[0-9a-f]{64}$'),
      applied_at timestamptz not null
    );
    comment on table public.schema_seeds is 'Seed files applied to this database (written by the control plane only).';`,
};

export async function ledgerTableExists(conn: Connection | postgres.TransactionSql, table: LedgerTable): Promise<boolean> {
  const [row] = await conn<{ present: boolean }[]>`select to_regclass(${`public.${table}`}) is not null as present`;
  return row?.present === true;
}

/**
 * Creates the ledger table when missing. Runs under the tenant schema lock, so the existence check
 * cannot race (and no "already exists" notice reaches the caller's log).
 */
export async function ensureLedgerTable(conn: Connection, table: LedgerTable): Promise<void> {
  if (await ledgerTableExists(conn, table)) return;
  await inTransaction(conn, () => conn.unsafe(`${DDL[table]}\n${lockDownLedgerSql(table)}`));
}

/** Revokes write privileges on a ledger table from every role but its owner (grantAppRole re-applies it). */
export function lockDownLedgerSql(table: LedgerTable): string {
  return `
  do $$
  declare grantee text;
  begin
    for grantee in
      select distinct g.grantee from information_schema.role_table_grants g
      where g.table_schema = 'public' and g.table_name = '${table}'
        and g.grantee not in (current_user, 'PUBLIC')
        and g.privilege_type in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
    loop
      execute format('revoke insert, update, delete, truncate on public.%I from %I', '${table}', grantee);
    end loop;
  end $$;`;
}
