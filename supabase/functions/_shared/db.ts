/**
 * Registry SQL. One `postgres` client per isolate, on `SUPABASE_DB_URL` — on the hosted platform a
 * direct (non-pooling) connection, so statements are prepared: a parameterised statement then takes
 * one round trip instead of two (postgres.js describes unprepared ones first) and PostgreSQL reuses
 * its plan. Pass `prepare: false` only for a transaction-mode pooler URL.
 *
 * Every piece of registry work runs in one transaction *as the caller*: role `authenticated` (or
 * `anon`) with the caller's verified claims in `request.jwt.claims`, so RLS policies decide; service
 * work runs as `service_role`, explicitly. Never run user-scoped queries on the raw connection: the
 * `postgres` role bypasses RLS.
 *   - `withCaller`: any work, several steps, writes.
 *   - `readAsCaller`: reads whose statements do not depend on each other, in one round trip.
 */
import postgres from "postgres";
import { AppError, type ErrorCode } from "./errors.ts";
import type { Caller } from "./auth.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

export interface SqlClientOptions {
  /** Pool size per isolate (default 4, like @supabase/server). */
  max?: number;
  applicationName?: string;
  /** Seconds before an idle connection is closed. */
  idleTimeout?: number;
  /** Named prepared statements (default true). False only behind a transaction-mode pooler. */
  prepare?: boolean;
}

export function createSqlClient(url: string, options: SqlClientOptions = {}): Sql {
  return postgres(url, {
    prepare: options.prepare ?? true,
    max: options.max ?? 4,
    idle_timeout: options.idleTimeout ?? 20,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? "tenant-control-plane" },
  });
}

/** The JWT claims Postgres sees for a caller. */
export function claimsOf(caller: Caller): Record<string, unknown> {
  return { ...caller.claims, role: caller.role };
}

/** Runs `fn` in one transaction as the caller, so RLS and `auth.uid()` see exactly them. */
export async function withCaller<T>(sql: Sql, caller: Caller, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return (await sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify(claimsOf(caller))}, true), set_config('role', ${caller.role}, true)`;
      return await fn(tx);
    })) as T;
  } catch (error) {
    throw mapDbError(error);
  }
}

/**
 * A read as the caller in one round trip: `begin read only`, the caller's claims and role, the
 * statements `fn` issues, and `commit` go to PostgreSQL in one write (postgres.js pipelines them on
 * a reserved connection). Same guarantees as `withCaller` — RLS sees exactly the caller, and the
 * transaction is read-only — for a fifth of its round trips.
 *
 * `fn` must issue every statement before its first `await` (they cannot depend on each other's
 * results): a statement issued later would run after `commit`, so it is refused with an error.
 * Results count only if every statement of the pipeline succeeded.
 */
export async function readAsCaller<T>(sql: Sql, caller: Caller, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const reserved = await sql.reserve();
  let open = true;
  // postgres.js sends a query when it is first awaited; sending each one as it is written keeps the
  // pipeline in order: begin, claims, fn's statements, commit.
  const issuing = (call: (...args: unknown[]) => unknown) => (...args: unknown[]) => {
    if (!open) throw new Error("readAsCaller: issue every statement before the first await; use withCaller for dependent steps.");
    const query = call(...args) as { execute?: () => unknown };
    if (query instanceof Promise && typeof query.execute === "function") query.execute();
    return query;
  };
  const tx = Object.assign(issuing(reserved as unknown as (...args: unknown[]) => unknown), reserved, {
    unsafe: issuing(reserved.unsafe.bind(reserved) as (...args: unknown[]) => unknown),
  }) as unknown as Tx;
  try {
    const begin = reserved`begin read only`.execute();
    const claims = reserved`select set_config('request.jwt.claims', ${JSON.stringify(claimsOf(caller))}, true), set_config('role', ${caller.role}, true)`.execute();
    let result: Promise<T>;
    try {
      result = fn(tx);
    } catch (error) {
      result = Promise.reject(error);
    } finally {
      open = false;
    }
    // Always ends the transaction (a failed one rolls back), so the connection goes back clean.
    const commit = reserved`commit`.execute();
    const settled = await Promise.allSettled([begin, claims, result, commit]);
    const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failure) throw failure.reason;
    return (settled[2] as PromiseFulfilledResult<T>).value;
  } catch (error) {
    throw mapDbError(error);
  } finally {
    reserved.release();
  }
}

/** Explicit, narrow service-role work (provisioning state, vault writes, health results). */
export function asService<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withCaller(sql, { role: "service_role", claims: { role: "service_role" } }, fn);
}

/**
 * Registry functions raise PostgREST-style SQLSTATEs `PTxyz` (xyz = HTTP status) with a message
 * meant for the caller; `42501` (permission denied) means the policies refused.
 */
const SQLSTATE_CODES: Record<string, ErrorCode> = {
  PT400: "VALIDATION_FAILED",
  PT401: "UNAUTHENTICATED",
  PT403: "FORBIDDEN",
  PT404: "NOT_FOUND",
  PT409: "CONFLICT",
  PT422: "PROVISIONING_FAILED",
  PT429: "RATE_LIMITED",
  "42501": "FORBIDDEN",
  "23505": "CONFLICT",
};

export function mapDbError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const sqlstate = (error as { code?: unknown })?.code;
  if (typeof sqlstate !== "string") return error;
  const code = SQLSTATE_CODES[sqlstate];
  if (!code) return error;
  const message = sqlstate === "42501"
    ? "You do not have permission for this action in this organization."
    : sqlstate === "23505" ? "That already exists." : (error as Error).message;
  const hint = (error as { hint?: string }).hint;
  return new AppError(code, message, { cause: error, ...(hint ? { details: { hint } } : {}) });
}
