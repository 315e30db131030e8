/**
 * `POST /sql`: the SQL-over-HTTP protocol `neon()` speaks.
 *
 * The connection string comes in the `Neon-Connection-String` header; the
 * password is checked by Postgres itself (we connect as that role). Queries
 * run through the extended protocol, like Neon's proxy, so multi-statement
 * strings fail there too. Rows go back as arrays of text values with each
 * field's type OID, which is all the driver reads to parse them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import postgres from "postgres";
import type { EndpointActivity } from "./endpoint-activity.ts";
import type { EmulatorState, EndpointRecord } from "./state.ts";
import type { SqlSessionControl } from "./context.ts";

type Sql = postgres.Sql<Record<string, never>>;

export const SQL_APPLICATION_NAME = "neon-emulator/sql";

export interface SqlTargetResolution {
  endpoint?: EndpointRecord;
  /** Why the request cannot be served: HTTP status and message. */
  refusal?: { status: number; message: string };
}

/** Maps a physical database to its endpoint and decides whether it can be reached. Shared with the WebSocket proxy. */
export function resolveSqlTarget(
  state: EmulatorState,
  database: string,
  reachable: (ep: EndpointRecord) => boolean,
  allowUnmanagedDatabases: boolean,
): SqlTargetResolution {
  const db = state.databasesByPhysical.get(database);
  if (!db) {
    return allowUnmanagedDatabases ? {} : { refusal: { status: 400, message: `database "${database}" does not belong to any endpoint of the local Neon emulator` } };
  }
  const endpoint = state.endpointOfBranch(db.project_id, db.branch_id);
  if (!endpoint) return { refusal: { status: 400, message: `the branch of database "${database}" has no compute endpoint` } };
  if (!reachable(endpoint)) return { endpoint, refusal: { status: 500, message: `Couldn't connect to compute node: endpoint ${endpoint.id} is unreachable` } };
  return { endpoint };
}

export interface SqlOverHttpOptions {
  state: EmulatorState;
  activity: EndpointActivity;
  /** The real server address. */
  target: { host: string; port: number };
  reachable: (ep: EndpointRecord) => boolean;
  allowUnmanagedDatabases: boolean;
  /** Injected `/sql` latency of an endpoint in ms (faults `sqlLatencyMs`). */
  sqlLatencyOf?: (endpointId: string) => number;
  /** Connections per (database, role) pool. */
  poolMax: number;
  /** Seconds before an idle pooled session closes (lets computes go idle). */
  idleTimeoutSeconds: number;
}

interface QueryPayload {
  query: string;
  params?: unknown[];
  arrayMode?: boolean;
}

const ISOLATION: Record<string, string> = {
  ReadUncommitted: "read uncommitted",
  ReadCommitted: "read committed",
  RepeatableRead: "repeatable read",
  Serializable: "serializable",
};

/** Neon's NeonDbError fields, from postgres.js error properties. */
function pgErrorBody(err: Record<string, any>) {
  const body: Record<string, unknown> = {
    message: err.message, severity: err.severity, code: err.code, detail: err.detail, hint: err.hint, position: err.position,
    internalPosition: err.internal_position, internalQuery: err.internal_query, where: err.where, schema: err.schema_name,
    table: err.table_name, column: err.column_name, dataType: err.type_name, constraint: err.constraint_name,
    file: err.file, line: err.line, routine: err.routine,
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export class SqlOverHttp implements SqlSessionControl {
  private readonly pools = new Map<string, { sql: Sql; database: string; role: string }>();

  constructor(private readonly options: SqlOverHttpOptions) {}

  private pool(database: string, role: string, password: string): Sql {
    const key = `${database}\u0000${role}\u0000${password}`;
    let entry = this.pools.get(key);
    if (!entry) {
      const sql: Sql = postgres({
        host: this.options.target.host,
        port: this.options.target.port,
        database,
        username: role,
        password,
        max: this.options.poolMax,
        idle_timeout: this.options.idleTimeoutSeconds,
        connect_timeout: 10,
        prepare: false,
        fetch_types: false,
        onnotice: () => {},
        connection: { application_name: SQL_APPLICATION_NAME },
      });
      entry = { sql, database, role };
      this.pools.set(key, entry);
    }
    return entry.sql;
  }

  private dropPool(database: string, role: string, password: string): void {
    const key = `${database}\u0000${role}\u0000${password}`;
    const entry = this.pools.get(key);
    if (!entry) return;
    this.pools.delete(key);
    void entry.sql.end({ timeout: 0 }).catch(() => {});
  }

  async handle(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
    const header = req.headers["neon-connection-string"];
    let url: URL;
    try {
      if (typeof header !== "string") throw new Error("missing");
      url = new URL(header);
      if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new Error("scheme");
    } catch {
      return send(res, 400, { message: "missing or invalid Neon-Connection-String header" });
    }
    const role = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
    if (!role || !database) return send(res, 400, { message: "connection string needs a user and a database" });

    let payload: QueryPayload | { queries: QueryPayload[] };
    try {
      payload = JSON.parse(rawBody);
      const ok = (q: any) => q && typeof q.query === "string" && (q.params === undefined || Array.isArray(q.params));
      if (!("queries" in payload ? Array.isArray(payload.queries) && payload.queries.every(ok) : ok(payload))) throw new Error("shape");
    } catch {
      return send(res, 400, { message: "request body must be {query, params} or {queries: [{query, params}, ...]}" });
    }

    const target = resolveSqlTarget(this.options.state, database, this.options.reachable, this.options.allowUnmanagedDatabases);
    if (target.refusal) {
      this.options.activity.refused(target.endpoint);
      return send(res, target.refusal.status, { message: target.refusal.message });
    }
    const ep = target.endpoint;
    const openedAt = ep ? this.options.activity.opened(ep, "http") : 0;
    const arrayMode = req.headers["neon-array-mode"] === "true";
    try {
      const delay = ep ? this.options.sqlLatencyOf?.(ep.id) ?? 0 : 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const sql = this.pool(database, role, password);
      if ("queries" in payload) {
        const mode = [
          ISOLATION[String(req.headers["neon-batch-isolation-level"])] ? `isolation level ${ISOLATION[String(req.headers["neon-batch-isolation-level"])]}` : "",
          req.headers["neon-batch-read-only"] === "true" ? "read only" : "",
          req.headers["neon-batch-deferrable"] === "true" ? "deferrable" : "",
        ].filter(Boolean).join(" ");
        const queries = payload.queries;
        const results = await sql.begin(mode, async (tx) => {
          const out: unknown[] = [];
          for (const q of queries) out.push(this.format(await tx.unsafe(q.query, (q.params ?? []) as never[]).raw(), q.arrayMode ?? arrayMode));
          return out;
        });
        send(res, 200, { results });
      } else {
        const result = await sql.unsafe(payload.query, (payload.params ?? []) as never[]).raw();
        send(res, 200, this.format(result, payload.arrayMode ?? arrayMode));
      }
    } catch (err) {
      const e = err as Record<string, any>;
      if (e.code === "28P01" || e.code === "28000" || e.code === "3D000") this.dropPool(database, role, password);
      if (e.name === "PostgresError") send(res, 400, pgErrorBody(e));
      else send(res, e.code === "ECONNREFUSED" ? 500 : 400, { message: String(e.message ?? err) });
    } finally {
      if (ep) this.options.activity.closed(ep.id, "http", openedAt);
    }
  }

  /** A postgres.js raw result in Neon's JSON shape. */
  private format(result: any, arrayMode: boolean) {
    const columns: Array<{ name: string; type: number; table: number; number: number }> = result.statement?.columns ?? result.columns ?? [];
    const rows = (result as Array<Array<Buffer | null>>).map((row) => row.map((v) => (v === null ? null : Buffer.from(v).toString("utf8"))));
    return {
      command: result.command ?? "",
      rowCount: typeof result.count === "number" ? result.count : null,
      rowAsArray: arrayMode,
      fields: columns.map((c) => ({
        name: c.name, dataTypeID: c.type, tableID: c.table, columnID: c.number, dataTypeSize: -1, dataTypeModifier: -1, format: "text",
      })),
      rows: arrayMode ? rows : rows.map((row) => Object.fromEntries(row.map((v, i) => [columns[i]?.name ?? String(i), v]))),
    };
  }

  async closeDatabases(databases: string[]): Promise<void> {
    const set = new Set(databases);
    await this.closeWhere((e) => set.has(e.database));
  }

  async closeRole(role: string): Promise<void> {
    await this.closeWhere((e) => e.role === role);
  }

  async closeAll(): Promise<void> {
    await this.closeWhere(() => true);
  }

  private async closeWhere(match: (e: { database: string; role: string }) => boolean): Promise<void> {
    const closing: Promise<unknown>[] = [];
    for (const [key, entry] of this.pools) {
      if (!match(entry)) continue;
      this.pools.delete(key);
      closing.push(entry.sql.end({ timeout: 1 }).catch(() => {}));
    }
    await Promise.all(closing);
  }
}
