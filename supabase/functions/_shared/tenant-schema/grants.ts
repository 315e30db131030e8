/**
 * Privileges of the tenant's least-privilege application role: it reads and writes rows, nothing
 * else. No DDL: it cannot create in schema `public` (PostgreSQL 15+ already revokes CREATE on
 * `public` from PUBLIC; we revoke it explicitly so the rule does not depend on the server version
 * or on how the database was created) and, like PUBLIC, it has no CREATE on the database.
 *
 * Run as the role that runs the migrations (the database owner): `alter default privileges`
 * without `for role` covers objects created by the current role, so tables and sequences added by
 * later migrations are granted automatically. Idempotent; safe to run after every migration.
 */
import type postgres from "postgres";
import { MIGRATIONS_TABLE, SEEDS_TABLE, ledgerTableExists, lockDownLedgerSql } from "./ledger.ts";

/** Role names we create: lower-case identifiers, so no quoting surprises anywhere. */
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function grantAppRole(sql: postgres.Sql, roleName: string): Promise<void> {
  if (!ROLE_NAME.test(roleName)) throw new Error(`App role name '${roleName}' must be a lower-case identifier (a-z, 0-9, _; at most 63 characters).`);
  await sql.begin(async (tx) => {
    const role = tx(roleName);
    const [current] = await tx<{ database: string }[]>`select current_database() as database`;
    await tx`revoke create on schema public from public`;
    await tx`revoke create on schema public from ${role}`;
    await tx`grant connect on database ${tx(current!.database)} to ${role}`;
    await tx`grant usage on schema public to ${role}`;
    await tx`grant select, insert, update, delete on all tables in schema public to ${role}`;
    await tx`grant usage on all sequences in schema public to ${role}`;
    await tx`alter default privileges in schema public grant select, insert, update, delete on tables to ${role}`;
    await tx`alter default privileges in schema public grant usage on sequences to ${role}`;
    // The schema ledgers are the runner's: readable (the app may show the version), never writable.
    for (const table of [MIGRATIONS_TABLE, SEEDS_TABLE] as const) {
      if (await ledgerTableExists(tx, table)) await tx.unsafe(lockDownLedgerSql(table));
    }
  });
}
