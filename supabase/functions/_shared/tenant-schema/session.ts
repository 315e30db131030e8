/**
 * One reserved connection holding the tenant's schema lock, and transactions on it.
 *
 * The lock is a session-level advisory lock with a fixed key, so every runner of every deployment
 * serialises on the same tenant database without any table. Session-level (not xact) because each
 * migration commits on its own while the lock must span all of them; that requires the lock and
 * the work to share one connection, hence `sql.reserve()`.
 *
 * postgres.js gives a reserved connection no `begin()` (the typings suggest one, but `begin` there
 * would run on the pool), so transactions on it are explicit BEGIN/COMMIT/ROLLBACK.
 */
import type postgres from "postgres";
import { TenantSchemaError, sqlstateOf } from "./errors.ts";

export type Connection = postgres.ReservedSql;

/** Fixed advisory-lock key of the tenant schema (any constant, the same in every build). */
export const TENANT_SCHEMA_LOCK_KEY = "7262115104918031";

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/**
 * Runs `fn` on a reserved connection that holds the tenant schema lock; waits at most
 * `lockTimeoutMs` for a concurrent runner, then throws `TenantSchemaError` (`lock_timeout`).
 * The lock is released (and the connection returned) however `fn` ends; if the connection died,
 * Postgres released the lock with the session.
 */
export async function withTenantSchemaLock<T>(sql: postgres.Sql, lockTimeoutMs: number, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await sql.reserve();
  try {
    await conn`select set_config('lock_timeout', ${`${Math.max(1, Math.round(lockTimeoutMs))}ms`}, false)`;
    try {
      await conn.unsafe(`select pg_advisory_lock(${TENANT_SCHEMA_LOCK_KEY})`);
    } catch (error) {
      if (sqlstateOf(error) === "55P03") {
        throw new TenantSchemaError("lock_timeout", `Another schema runner has held this tenant database for more than ${lockTimeoutMs} ms. Try again later; if it persists, look for a stuck session holding advisory lock ${TENANT_SCHEMA_LOCK_KEY}.`, { cause: error, sqlstate: "55P03" });
      }
      throw error;
    } finally {
      // The setting lives in the session; the connection goes back to the caller's pool.
      await conn.unsafe("reset lock_timeout").catch(() => undefined);
    }
    try {
      return await fn(conn);
    } finally {
      await conn.unsafe(`select pg_advisory_unlock(${TENANT_SCHEMA_LOCK_KEY})`).catch(() => undefined);
    }
  } finally {
    conn.release();
  }
}

/** Runs `fn` in one transaction on `conn`; rolls back and rethrows on any error. */
export async function inTransaction<T>(conn: Connection, fn: () => Promise<T>): Promise<T> {
  await conn.unsafe("begin");
  try {
    const result = await fn();
    await conn.unsafe("commit");
    return result;
  } catch (error) {
    await conn.unsafe("rollback").catch(() => undefined);
    throw error;
  }
}
