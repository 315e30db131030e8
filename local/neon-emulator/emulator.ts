/**
 * `startNeonEmulator`: a Neon-compatible control plane over a local Postgres
 * server, for development, tests and benchmarks. Product code talks to it
 * only through the official `@neondatabase/api-client` (`baseURL`) and
 * `@neondatabase/serverless` (`neonConfig`); see README.md.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort } from "../postgres.ts";
import { Addresses } from "./addresses.ts";
import { handleAdmin, type AdminControls } from "./admin-routes.ts";
import { API_PREFIX, handleApi } from "./api-server.ts";
import { createClock, type Clock } from "./clock.ts";
import { ProjectGuard, type EmulatorContext } from "./context.ts";
import { ApiCounterSet, type ApiCounters } from "./counters.ts";
import { EndpointActivity, type EndpointCounters, type EndpointState, type SqlCounters } from "./endpoint-activity.ts";
import { Faults, type FaultConfig } from "./faults.ts";
import { readBody, sendJson } from "./http-util.ts";
import { OpenApiRoutes } from "./openapi.ts";
import { Operations } from "./operations.ts";
import { DEFAULTS, DEFAULT_API_KEY, DEFAULT_REGIONS, type NeonEmulatorOptions } from "./options.ts";
import { PostgresAdmin } from "./postgres-admin.ts";
import { RateLimiter } from "./rate-limit.ts";
import { IMPLEMENTED_OPERATIONS } from "./routes.ts";
import { SqlOverHttp } from "./sql-over-http.ts";
import { EmulatorState, type EndpointRecord, type Kind, type RecordKinds } from "./state.ts";
import { openStateStore, type StateStore } from "./state-store.ts";
import { WsProxy } from "./ws-proxy.ts";

export interface CountersSnapshot {
  api: ApiCounters;
  sql: SqlCounters;
  endpoints: Record<string, EndpointCounters & { state: EndpointState }>;
}

/** The `neonConfig` settings that point `@neondatabase/serverless` at the emulator. */
export interface EmulatorNeonConfig {
  fetchEndpoint: string;
  wsProxy: (host: string, port: number | string) => string;
  useSecureWebSocket: false;
  pipelineConnect: false;
}

export interface NeonEmulator {
  /** API base URL including `/api/v2`: use as `baseURL` / `NEON_API_URL`. */
  url: string;
  /** `http://host:port` of the emulator. */
  origin: string;
  port: number;
  /** The first accepted API key. */
  apiKey: string;
  /** `neonConfig.fetchEndpoint` value. */
  sqlHttpUrl: string;
  /** `host:port` of the WebSocket proxy (its path is `/v2?address=…`). */
  wsProxyHost: string;
  /** Ready-made `neonConfig` settings: `Object.assign(neonConfig, emulator.neonConfig)`. */
  neonConfig: EmulatorNeonConfig;
  counters(): CountersSnapshot;
  resetCounters(): void;
  /** Replaces the fault configuration (and reseeds). */
  setFaults(config: FaultConfig): Promise<void>;
  faults(): FaultConfig;
  clock: Clock;
  /** Moves the emulator clock forward (operations, suspend timeouts, rate windows). */
  advanceClock(ms: number): void;
  /** Looks for direct sessions on tenant databases now, instead of waiting for the next poll. */
  pollActivity(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNeonEmulator(options: NeonEmulatorOptions): Promise<NeonEmulator> {
  const log = options.log ?? ((m: string) => process.stderr.write(`[neon-emulator] ${m}\n`));
  const clock = options.clock ?? createClock();
  const admin = new PostgresAdmin(options.adminUrl);
  const resources: Array<() => Promise<void>> = [() => admin.close()];
  const cleanup = async () => {
    for (const close of resources.reverse()) await close().catch(() => {});
  };

  try {
    const [server] = await admin.sql<{ ssl: string }[]>`select current_setting('ssl') as ssl`;
    const sslmode = options.sslmode === null ? undefined : (options.sslmode ?? (server?.ssl === "on" ? "require" : undefined));

    // State: memory, written through to the admin database.
    const state = new EmulatorState();
    let store: StateStore | undefined;
    const stateDatabase = options.stateDatabase ?? DEFAULTS.stateDatabase;
    if (stateDatabase) {
      store = await openStateStore(admin.sql, options.adminUrl, stateDatabase, (err) => log(`could not persist state: ${(err as Error).message}`));
      const s = store;
      resources.push(() => s.close());
      const order: Kind[] = ["project", "branch", "endpoint", "role", "database", "operation"];
      const loaded = await store.load();
      for (const kind of order) for (const r of loaded.filter((x) => x.kind === kind)) state.put(kind, r.data as RecordKinds[typeof kind], false);
      if (loaded.length) log(`restored ${state.projects.size} project(s) from database ${stateDatabase}`);
      state.setSink(store);
    }

    const faults = new Faults(options.faults ?? {});
    const reachable = (ep: EndpointRecord) => !ep.disabled && !faults.isUnreachable(ep.id);
    const operations = new Operations(state, clock, faults, {
      durationMs: options.operationDurationMs ?? DEFAULTS.operationDurationMs,
      schedulingShare: options.operationSchedulingShare ?? DEFAULTS.operationSchedulingShare,
    });
    const activity = new EndpointActivity(state, clock, options.defaultSuspendTimeoutSeconds ?? DEFAULTS.defaultSuspendTimeoutSeconds);
    const addresses = new Addresses(
      { host: options.publicHost ?? admin.host, port: options.publicPort ?? admin.port, refusingPort: await freePort(), sslmode },
      reachable,
    );
    const allowUnmanagedDatabases = options.allowUnmanagedDatabases ?? DEFAULTS.allowUnmanagedDatabases;
    const sqlHttp = new SqlOverHttp({
      state, activity, reachable, allowUnmanagedDatabases,
      sqlLatencyOf: (endpointId) => faults.sqlLatencyOf(endpointId),
      target: { host: admin.host, port: admin.port },
      poolMax: options.sqlPoolMax ?? DEFAULTS.sqlPoolMax,
      idleTimeoutSeconds: options.sqlPoolIdleTimeoutSeconds ?? DEFAULTS.sqlPoolIdleTimeoutSeconds,
    });
    resources.push(() => sqlHttp.closeAll());
    const wsProxy = new WsProxy({
      state, activity, reachable, allowUnmanagedDatabases,
      target: { host: admin.host, port: admin.port },
      advertised: { host: addresses.host, port: addresses.port },
    });
    resources.push(async () => wsProxy.closeAll());

    /** Blocks or re-allows direct sessions on an endpoint's databases to match its reachability. */
    const applyReachability = async (endpointId: string) => {
      const ep = state.endpoints.get(endpointId);
      if (!ep) return;
      const dbs = state.databasesOfBranch(ep.project_id, ep.branch_id).map((d) => d.physical);
      const allow = reachable(ep);
      if (!allow) await sqlHttp.closeDatabases(dbs);
      for (const db of dbs) await admin.setAllowConnections(db, allow);
    };

    const ctx: EmulatorContext = {
      state, clock, operations, activity, admin, faults, addresses, sessions: sqlHttp,
      guard: new ProjectGuard(operations),
      settings: {
        regions: options.regions ?? DEFAULT_REGIONS,
        projectsLimit: options.projectsLimit ?? DEFAULTS.projectsLimit,
        minSuspendTimeoutSeconds: options.minSuspendTimeoutSeconds ?? DEFAULTS.minSuspendTimeoutSeconds,
      },
      creatingProjects: { count: 0 },
      applyReachability,
      log,
    };

    // Databases left blocked by a previous run's faults come back unless still unreachable.
    const blocked = await admin.sql<{ datname: string }[]>`select datname from pg_database where not datallowconn and datname = any(${[...state.databasesByPhysical.keys()]})`;
    const toCheck = new Set<string>();
    for (const row of blocked) {
      const db = state.databasesByPhysical.get(row.datname);
      const ep = db && state.endpointOfBranch(db.project_id, db.branch_id);
      if (ep) toCheck.add(ep.id);
    }
    for (const ep of state.endpoints.rows.values()) if (!reachable(ep)) toCheck.add(ep.id);
    for (const id of toCheck) await applyReachability(id);

    const apiKeys = new Map<string, string>();
    (options.apiKeys ?? [DEFAULT_API_KEY]).forEach((k, i) => {
      if (typeof k === "string") apiKeys.set(k, `key-${i + 1}`);
      else apiKeys.set(k.key, k.label);
    });
    const firstKey = [...apiKeys.keys()][0];
    if (!firstKey) throw new Error("at least one API key is required");

    const counters = new ApiCounterSet();
    const rateLimiter = new RateLimiter(options.rateLimit === undefined ? DEFAULTS.rateLimit : options.rateLimit);
    const routes = OpenApiRoutes.shared(IMPLEMENTED_OPERATIONS);
    const hung = new Set<ServerResponse>();
    const flush = async () => {
      await store?.flush();
    };

    const setFaults = async (config: FaultConfig) => {
      const before = new Set(faults.get().unreachableEndpoints ?? []);
      faults.set(config);
      const after = new Set(config.unreachableEndpoints ?? []);
      for (const id of new Set([...before, ...after])) if (before.has(id) !== after.has(id)) await applyReachability(id);
    };
    const snapshot = (): CountersSnapshot => ({ api: counters.snapshot(), ...activity.snapshot() });
    const resetCounters = () => {
      counters.reset();
      activity.resetCounters();
    };
    const pollActivity = () => activity.pollOnce(admin);
    const controls: AdminControls = {
      counters: snapshot, resetCounters, faults: () => faults.get(), setFaults, now: () => clock.now(),
      clockOffset: () => clock.offset(), advanceClock: (ms) => clock.advance(ms), pollActivity,
    };
    const apiDeps = { ctx, routes, apiKeys, rateLimiter, counters, faults, flush, hung };

    const http = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const path = url.pathname;
        if (req.method === "OPTIONS") {
          // CORS preflight for browser clients of /sql.
          res.writeHead(204, { "access-control-allow-origin": "*", "access-control-allow-headers": "*", "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE" });
          return res.end();
        }
        const body = await readBody(req);
        if (path === "/sql" && req.method === "POST") return sqlHttp.handle(req, res, body);
        if (path.startsWith("/admin/")) return handleAdmin(controls, req, res, path, body);
        if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return handleApi(apiDeps, req, res, path, url.searchParams, body);
        sendJson(res, 404, { code: "", message: "not found" });
      })().catch((err) => {
        log(`request failed: ${(err as Error).message}`);
        if (!res.headersSent) sendJson(res, 500, { code: "", message: "internal error" });
        else res.destroy();
      });
    });
    http.on("upgrade", (req, socket, head) => {
      if (!wsProxy.handleUpgrade(req, socket, head)) socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
    });
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(options.port ?? DEFAULTS.port, options.listenHost ?? DEFAULTS.listenHost, () => resolve());
    });
    resources.push(
      () =>
        new Promise<void>((resolve) => {
          for (const res of hung) res.destroy();
          http.close(() => resolve());
          http.closeAllConnections();
        }),
    );

    const pollMs = options.activityPollMs ?? DEFAULTS.activityPollMs;
    if (pollMs > 0) {
      activity.startPolling(admin, pollMs, (err) => log(`activity poll failed: ${(err as Error).message}`));
      resources.push(() => activity.stopPolling());
    }

    const port = (http.address() as AddressInfo).port;
    const host = options.listenHost && options.listenHost !== "0.0.0.0" && options.listenHost !== "::" ? options.listenHost : "127.0.0.1";
    const origin = `http://${host}:${port}`;
    const wsProxyHost = `${host}:${port}`;
    let stopped = false;
    return {
      url: `${origin}${API_PREFIX}`,
      origin,
      port,
      apiKey: firstKey,
      sqlHttpUrl: `${origin}/sql`,
      wsProxyHost,
      neonConfig: {
        fetchEndpoint: `${origin}/sql`,
        wsProxy: (h, p) => `${wsProxyHost}/v2?address=${h}:${p}`,
        useSecureWebSocket: false,
        pipelineConnect: false,
      },
      counters: snapshot,
      resetCounters,
      setFaults,
      faults: () => faults.get(),
      clock,
      advanceClock: (ms) => clock.advance(ms),
      pollActivity,
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
