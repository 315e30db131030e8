/**
 * Endpoint compute state (init / active / idle) and SQL-side counters.
 *
 * A compute is active while it has sessions and for `suspend_timeout_seconds`
 * after the last one (Neon's scale to zero), idle otherwise. Sessions are seen
 * two ways: the emulator's own `/sql` and WebSocket paths report them as they
 * happen, and a cheap poll of pg_stat_database / pg_stat_activity catches
 * direct TCP connections (including short ones, through the `sessions`
 * counter). A session arriving at an idle compute is a "wake" (a cold start
 * on Neon).
 *
 * Runtime facts are not persisted: after a restart every compute is idle
 * until used, which is what Neon would show after a quiet period too.
 */
import type { Clock } from "./clock.ts";
import type { EmulatorState, EndpointRecord } from "./state.ts";
import type { PostgresAdmin } from "./postgres-admin.ts";

export type EndpointState = "init" | "active" | "idle";
export type ConnectionSource = "http" | "ws" | "direct";

export interface EndpointCounters {
  project_id: string;
  branch_id: string;
  /** Sessions that found the compute idle (cold starts), by how they arrived. */
  wakes: number;
  wakesBySource: Record<ConnectionSource, number>;
  /** Explicit starts (API) of an idle compute. */
  apiStarts: number;
  sqlHttpRequests: number;
  wsSessions: number;
  /** Requests/sessions refused because the endpoint is unreachable or disabled. */
  refused: number;
  /** Concurrent `/sql` requests plus open WebSocket sessions through the emulator. */
  currentConnections: number;
  peakConnections: number;
  /** Client sessions seen on its databases by the last poll (any path; excludes the emulator's admin sessions). */
  observedBackends: number;
  peakObservedBackends: number;
}

export interface SqlCounters {
  httpRequests: number;
  httpInFlight: number;
  peakHttpInFlight: number;
  wsOpen: number;
  peakWsOpen: number;
  /** `/sql` in flight + open WebSocket sessions, across endpoints. */
  currentConnections: number;
  peakConnections: number;
  /** Sum over endpoints of observed sessions at a poll, and its peak. */
  observedBackends: number;
  peakObservedBackends: number;
  wakes: number;
  refused: number;
}

interface Runtime {
  lastActiveAt?: number;
  /** The emulator itself opened sessions since the last poll: new sessions then are ours, not direct ones. */
  emulatorSessionsSincePoll?: boolean;
  counters: EndpointCounters;
}

const emptySqlCounters = (): SqlCounters => ({
  httpRequests: 0, httpInFlight: 0, peakHttpInFlight: 0, wsOpen: 0, peakWsOpen: 0,
  currentConnections: 0, peakConnections: 0, observedBackends: 0, peakObservedBackends: 0, wakes: 0, refused: 0,
});

export class EndpointActivity {
  private readonly runtime = new Map<string, Runtime>();
  private sql = emptySqlCounters();
  /** Last `sessions` value per physical database, to see sessions opened between polls. */
  private readonly sessionsSeen = new Map<string, number>();
  private pollTimer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly state: EmulatorState,
    private readonly clock: Clock,
    private readonly defaultSuspendTimeoutSeconds = 300,
  ) {}

  private rt(ep: EndpointRecord): Runtime {
    let rt = this.runtime.get(ep.id);
    if (!rt) {
      rt = {
        counters: {
          project_id: ep.project_id, branch_id: ep.branch_id, wakes: 0, wakesBySource: { http: 0, ws: 0, direct: 0 },
          apiStarts: 0, sqlHttpRequests: 0, wsSessions: 0, refused: 0, currentConnections: 0, peakConnections: 0,
          observedBackends: 0, peakObservedBackends: 0,
        },
      };
      this.runtime.set(ep.id, rt);
    }
    return rt;
  }

  /** Current state and, while a start is in progress, the pending one. */
  stateOf(ep: EndpointRecord, now = this.clock.now()): { current: EndpointState; pending?: EndpointState } {
    const rt = this.runtime.get(ep.id);
    if (rt && (rt.counters.currentConnections > 0 || rt.counters.observedBackends > 0) && now >= ep.started_at) return { current: "active" };
    if (now < ep.started_at) return { current: ep.suspended_at === undefined ? "init" : "idle", pending: "active" };
    const lastActivity = Math.max(ep.started_at, rt?.lastActiveAt ?? 0);
    if (ep.start_failed && (rt?.lastActiveAt ?? 0) <= ep.started_at) return { current: "idle" };
    if (ep.suspended_at !== undefined && ep.suspended_at >= lastActivity) return { current: "idle" };
    const timeout = ep.suspend_timeout_seconds === 0 ? this.defaultSuspendTimeoutSeconds : ep.suspend_timeout_seconds;
    if (timeout < 0) return { current: "active" };
    return { current: now - lastActivity >= timeout * 1000 ? "idle" : "active" };
  }

  lastActive(ep: EndpointRecord): number | undefined {
    const rt = this.runtime.get(ep.id);
    const candidates = [rt?.lastActiveAt, ep.started_at <= this.clock.now() ? ep.started_at : undefined].filter((v): v is number => v !== undefined);
    return candidates.length ? Math.max(...candidates) : undefined;
  }

  /** Activity on the endpoint; counts a wake when it finds the compute idle. */
  private activity(ep: EndpointRecord, source: ConnectionSource): void {
    const now = this.clock.now();
    const rt = this.rt(ep);
    if (this.stateOf(ep, now).current === "idle") {
      rt.counters.wakes++;
      rt.counters.wakesBySource[source]++;
      this.sql.wakes++;
    }
    // Activity must sort after a suspend even when the clock has not moved (frozen test clocks).
    rt.lastActiveAt = ep.suspended_at !== undefined && ep.suspended_at >= now ? ep.suspended_at + 1 : now;
  }

  /** A `/sql` request or WebSocket session starts; call `closed` with the returned time when it ends. */
  opened(ep: EndpointRecord, source: "http" | "ws"): number {
    this.activity(ep, source);
    const rt = this.rt(ep);
    rt.emulatorSessionsSincePoll = true;
    const c = rt.counters;
    c.currentConnections++;
    c.peakConnections = Math.max(c.peakConnections, c.currentConnections);
    if (source === "http") {
      c.sqlHttpRequests++;
      this.sql.httpRequests++;
      this.sql.httpInFlight++;
      this.sql.peakHttpInFlight = Math.max(this.sql.peakHttpInFlight, this.sql.httpInFlight);
    } else {
      c.wsSessions++;
      this.sql.wsOpen++;
      this.sql.peakWsOpen = Math.max(this.sql.peakWsOpen, this.sql.wsOpen);
    }
    this.sql.currentConnections++;
    this.sql.peakConnections = Math.max(this.sql.peakConnections, this.sql.currentConnections);
    return this.clock.now();
  }

  closed(endpointId: string, source: "http" | "ws", openedAt: number): void {
    const ep = this.state.endpoints.get(endpointId);
    const rt = this.runtime.get(endpointId);
    if (source === "http") this.sql.httpInFlight = Math.max(0, this.sql.httpInFlight - 1);
    else this.sql.wsOpen = Math.max(0, this.sql.wsOpen - 1);
    this.sql.currentConnections = Math.max(0, this.sql.currentConnections - 1);
    if (!ep || !rt) return; // deleted meanwhile
    // A session cut by a suspend is not activity after the suspend.
    if (ep.suspended_at === undefined || ep.suspended_at < openedAt) rt.lastActiveAt = this.clock.now();
    rt.counters.currentConnections = Math.max(0, rt.counters.currentConnections - 1);
  }

  refused(ep: EndpointRecord | undefined): void {
    this.sql.refused++;
    if (ep) this.rt(ep).counters.refused++;
  }

  /** An API start of an idle compute. */
  apiStarted(ep: EndpointRecord): void {
    this.rt(ep).counters.apiStarts++;
  }

  /** An explicit suspend: forget activity so the compute reads idle at once. */
  suspended(ep: EndpointRecord): void {
    const rt = this.rt(ep);
    rt.counters.observedBackends = 0;
  }

  forget(endpointId: string): void {
    this.runtime.delete(endpointId);
  }

  /** Records what a poll saw on one endpoint's databases. */
  observe(ep: EndpointRecord, backends: number, newSessions: number): void {
    const rt = this.rt(ep);
    if (rt.emulatorSessionsSincePoll) newSessions = 0;
    rt.emulatorSessionsSincePoll = false;
    if (backends > 0 || newSessions > 0) this.activity(ep, "direct");
    rt.counters.observedBackends = backends;
    rt.counters.peakObservedBackends = Math.max(rt.counters.peakObservedBackends, backends);
  }

  /** Polls the server every `intervalMs` for sessions on tenant databases. */
  startPolling(admin: PostgresAdmin, intervalMs: number, onError: (err: unknown) => void): void {
    const tick = async () => {
      if (this.stopped) return;
      this.polling = this.pollOnce(admin).catch(onError);
      await this.polling;
      if (!this.stopped) this.pollTimer = setTimeout(tick, intervalMs);
    };
    this.pollTimer = setTimeout(tick, intervalMs);
  }

  async pollOnce(admin: PostgresAdmin): Promise<void> {
    const databases = [...this.state.databasesByPhysical.keys()];
    if (databases.length === 0) return;
    const rows = await admin.sql<{ datname: string; sessions: number; backends: number }[]>`
      select d.datname, coalesce(d.sessions, 0)::float8 as sessions,
             (select count(*) from pg_stat_activity a
               where a.datid = d.datid and a.backend_type = 'client backend'
                 and coalesce(a.application_name, '') not like 'neon-emulator/%')::int as backends
      from pg_stat_database d where d.datname = any(${databases})`;
    const perEndpoint = new Map<string, { ep: EndpointRecord; backends: number; sessions: number }>();
    for (const row of rows) {
      const db = this.state.databasesByPhysical.get(row.datname);
      if (!db) continue;
      const ep = this.state.endpointOfBranch(db.project_id, db.branch_id);
      const previous = this.sessionsSeen.get(row.datname);
      this.sessionsSeen.set(row.datname, row.sessions);
      if (!ep) continue;
      const entry = perEndpoint.get(ep.id) ?? { ep, backends: 0, sessions: 0 };
      entry.backends += row.backends;
      entry.sessions += previous === undefined ? 0 : Math.max(0, row.sessions - previous);
      perEndpoint.set(ep.id, entry);
    }
    let total = 0;
    for (const ep of this.state.endpoints.rows.values()) {
      const seen = perEndpoint.get(ep.id);
      this.observe(ep, seen?.backends ?? 0, seen?.sessions ?? 0);
      total += seen?.backends ?? 0;
    }
    this.sql.observedBackends = total;
    this.sql.peakObservedBackends = Math.max(this.sql.peakObservedBackends, total);
  }

  async stopPolling(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    await this.polling;
  }

  snapshot(): { sql: SqlCounters; endpoints: Record<string, EndpointCounters & { state: EndpointState }> } {
    const endpoints: Record<string, EndpointCounters & { state: EndpointState }> = {};
    for (const ep of this.state.endpoints.rows.values()) {
      endpoints[ep.id] = { ...structuredClone(this.rt(ep).counters), state: this.stateOf(ep).current };
    }
    return { sql: { ...this.sql }, endpoints };
  }

  /** Zeroes counters; current connection counts and activity times are kept (they are facts, not tallies). */
  resetCounters(): void {
    this.sql = { ...emptySqlCounters(), httpInFlight: this.sql.httpInFlight, wsOpen: this.sql.wsOpen, currentConnections: this.sql.currentConnections, observedBackends: this.sql.observedBackends };
    for (const rt of this.runtime.values()) {
      const c = rt.counters;
      rt.counters = {
        ...c, wakes: 0, wakesBySource: { http: 0, ws: 0, direct: 0 }, apiStarts: 0, sqlHttpRequests: 0, wsSessions: 0,
        refused: 0, peakConnections: c.currentConnections, peakObservedBackends: c.observedBackends,
      };
    }
    this.sql.peakConnections = this.sql.currentConnections;
    this.sql.peakHttpInFlight = this.sql.httpInFlight;
    this.sql.peakWsOpen = this.sql.wsOpen;
    this.sql.peakObservedBackends = this.sql.observedBackends;
  }
}
