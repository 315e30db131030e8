/**
 * Registry SQL. One `postgres` client per isolate, on `SUPABASE_DB_URL` — on the hosted platform a
 * direct (non-pooling) connection, so statements are prepared: a parameterised statement then takes
 * one round trip instead of two (postgres.js describes unprepared ones first) and PostgreSQL reuses
 * its plan. (A transaction-mode pooler URL would need `prepare: false`.)
 *
 * Every piece of registry work runs in one transaction *as the caller*: role `authenticated` (or
 * `anon`) with the caller's verified claims in `request.jwt.claims`, so RLS policies decide; service
 * work runs as `service_role`, explicitly. Never run user-scoped queries on the raw connection: the
 * `postgres` role bypasses RLS.
 *   - `withCaller`: any work, several steps, writes.
 *   - `readAsCaller`: reads, with `begin`, the claims and the first statements in one write.
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
}

export function createSqlClient(url: string, options: SqlClientOptions = {}): Sql {
  return postgres(url, {
    prepare: true,
    max: options.max ?? 4,
    idle_timeout: 20,
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
 * A read as the caller in two round trips (`withCaller` takes four or more): `begin read only` and
 * the caller's claims and role go to PostgreSQL in the same write as the statements `fn` sends
 * first (postgres.js pipelines queries on a reserved connection); `commit` follows once `fn` has
 * its results. Same guarantees as `withCaller`: every statement runs inside the transaction as the
 * caller, so RLS decides, and the transaction is read-only.
 *
 * Statements `fn` sends together (e.g. with `Promise.all`) share a write; a statement sent after
 * an `await` costs a round trip of its own, still inside the transaction. `commit` is never sent
 * while a statement of `fn` may still be (re)sent: postgres.js re-sends a prepared statement whose
 * cached plan went stale at the end of the pipeline, and that must land inside the (then aborted)
 * transaction. The result counts only if the transaction committed.
 */
export async function readAsCaller<T>(sql: Sql, caller: Caller, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const reserved = await sql.reserve();
  let open = true;
  try {
    // `begin` and `commit` go by the simple protocol: never prepared, so never re-sent out of order.
    // A failing claims statement aborts the transaction before any statement of `fn` runs.
    const begin = reserved.unsafe("begin read only").execute();
    const claims = reserved`select set_config('request.jwt.claims', ${JSON.stringify(claimsOf(caller))}, true), set_config('role', ${caller.role}, true)`.execute();
    // postgres.js sends a query when it is first awaited, one microtask later: after begin and claims.
    const [result] = await Promise.allSettled([(async () => await fn(guarded(reserved, () => open)))()]);
    open = false;
    const [began, claimed, committed] = await Promise.allSettled([begin, claims, reserved.unsafe("commit").execute()]);
    for (const step of [began, claimed, result, committed]) if (step.status === "rejected") throw step.reason;
    if ((committed as PromiseFulfilledResult<{ command: string }>).value.command !== "COMMIT") {
      throw new Error("readAsCaller: the transaction rolled back (a statement failed), so its results are void.");
    }
    return (result as PromiseFulfilledResult<T>).value;
  } catch (error) {
    throw mapDbError(error);
  } finally {
    open = false;
    reserved.release();
  }
}

/**
 * The reserved connection as `fn` sees it: usable only while the transaction is open (a statement
 * sent later would run on a released connection, outside any transaction), and refusing an
 * `undefined` parameter up front (postgres.js rejects it while building the message, which in a
 * pipeline is reported against another query).
 */
function guarded(reserved: postgres.ReservedSql, isOpen: () => boolean): Tx {
  const check = (args: unknown[], parameters: unknown) => {
    if (!isOpen()) throw new Error("This transaction has ended: use the connection only inside the callback, before it returns.");
    if (Array.isArray(parameters) && parameters.some((value) => value === undefined)) {
      throw Object.assign(new Error("A query parameter is undefined: pass null for SQL NULL."), { code: "UNDEFINED_VALUE" });
    }
    return args;
  };
  return new Proxy(reserved, {
    apply(target, self, args: unknown[]) {
      const template = Array.isArray(args[0]) && "raw" in (args[0] as object);
      return Reflect.apply(target, self, check(args, template ? args.slice(1) : null));
    },
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => Reflect.apply(value, target, check(args, property === "unsafe" ? args[1] : null));
    },
  }) as unknown as Tx;
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
