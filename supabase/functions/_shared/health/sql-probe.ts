/**
 * The SQL tier: through `@neondatabase/serverless` over HTTP (`neon()`), one short request for
 * the round trip of a trivial query and one for the facts (database size, connections in use vs
 * allowed, schema version). HTTP needs no connection setup or teardown on our side and holds no
 * session on the compute between probes. The connection string is never logged or returned.
 */
import { neon, neonConfig } from "@neondatabase/serverless";
import type { SqlProbeFacts } from "./classify.ts";

export type SqlProbe = (connectionString: string, options: { timeoutMs: number }) => Promise<SqlProbeFacts>;

/**
 * Points the driver at a local `/sql` endpoint and WebSocket proxy when given (the local Neon
 * emulator; `npm run dev` sets NEON_SQL_HTTP_URL / NEON_WS_PROXY). Production leaves both unset.
 */
export function configureNeonDriver(options: { sqlHttpUrl?: string; wsProxy?: string }): void {
  if (options.sqlHttpUrl) {
    neonConfig.fetchEndpoint = options.sqlHttpUrl;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
  }
  if (options.wsProxy) neonConfig.wsProxy = options.wsProxy;
}

const FACTS_QUERY = `
  select pg_database_size(current_database())::float8 as database_bytes,
         (select count(*) from pg_stat_activity where datname is not null)::int as connections_used,
         current_setting('max_connections')::int as connections_allowed,
         to_regclass('public.schema_migrations') is not null as has_ledger`;
// A separate statement: a reference to a missing table fails at parse time even inside CASE.
const SCHEMA_VERSION_QUERY = "select max(version) as schema_version from public.schema_migrations";

function errorCodeOf(error: unknown): string {
  const e = error as { name?: string; code?: unknown; sourceError?: { name?: string } };
  if (e?.name === "AbortError" || e?.name === "TimeoutError" || e?.sourceError?.name === "AbortError") return "SQL_PROBE_TIMEOUT";
  if (typeof e?.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return `SQLSTATE_${e.code}`;
  return "SQL_UNREACHABLE";
}

/** A `SqlProbe` over `neon()`; `now` measures the round trip. */
export function createNeonSqlProbe(now: () => number = () => performance.now()): SqlProbe {
  return async (connectionString, { timeoutMs }) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const sql = neon(connectionString, { fetchOptions: { signal: controller.signal } });
      const started = now();
      await sql.query("select 1");
      const latencyMs = Math.round(now() - started);
      const [row] = (await sql.query(FACTS_QUERY)) as Array<{ database_bytes: number; connections_used: number; connections_allowed: number; has_ledger: boolean }>;
      const schemaVersion = row?.has_ledger ? ((await sql.query(SCHEMA_VERSION_QUERY)) as Array<{ schema_version: string | null }>)[0]?.schema_version ?? null : null;
      return {
        ok: true,
        latencyMs,
        databaseBytes: Number(row?.database_bytes ?? 0),
        connectionsUsed: Number(row?.connections_used ?? 0),
        connectionsAllowed: Number(row?.connections_allowed ?? 0),
        schemaVersion,
      };
    } catch (error) {
      const code = controller.signal.aborted ? "SQL_PROBE_TIMEOUT" : errorCodeOf(error);
      // Only the code and a fixed phrase: driver messages can echo hosts and user names.
      return { ok: false, errorCode: code, errorMessage: code === "SQL_PROBE_TIMEOUT" ? `No answer within ${timeoutMs} ms.` : "The database did not answer the probe." };
    } finally {
      clearTimeout(timer);
    }
  };
}
