/**
 * Registry SQL. One `postgres` client per isolate (`prepare: false` so the Supabase pooler works).
 * Every piece of registry work runs in one transaction *as the caller*: role `authenticated` (or
 * `anon`) with the caller's verified claims in `request.jwt.claims`, so RLS policies decide; service
 * work runs as `service_role`, explicitly. Never run user-scoped queries on the raw connection: the
 * `postgres` role bypasses RLS.
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
}

export function createSqlClient(url: string, options: SqlClientOptions = {}): Sql {
  return postgres(url, {
    prepare: false,
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
