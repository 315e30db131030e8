/**
 * Request counters for benchmarks: Neon API calls per route, per API key and
 * per project (tenant), plus what fault injection did. SQL-side counters live
 * with endpoint activity (endpoint-activity.ts) and are merged in snapshots.
 */

export interface ApiCounters {
  total: number;
  /** By operationId, e.g. `createProject`. */
  byRoute: Record<string, number>;
  /** By API key label (`key-1`, … or the label given in options); keys themselves are never reported. */
  byKey: Record<string, number>;
  /** By project id in the path (createProject counts under the project it created). */
  byProject: Record<string, number>;
  /** By project, then operationId. */
  byProjectRoute: Record<string, Record<string, number>>;
  /** By HTTP status, plus `hung` and `lost` for requests never answered. */
  byStatus: Record<string, number>;
  byRouteStatus: Record<string, Record<string, number>>;
  rateLimited: number;
  injected: { statuses: Record<string, number>; hung: number; lostResponses: number; latencyMs: number };
}

const bump = (map: Record<string, number>, key: string, by = 1) => {
  map[key] = (map[key] ?? 0) + by;
};

export function emptyApiCounters(): ApiCounters {
  return {
    total: 0,
    byRoute: {},
    byKey: {},
    byProject: {},
    byProjectRoute: {},
    byStatus: {},
    byRouteStatus: {},
    rateLimited: 0,
    injected: { statuses: {}, hung: 0, lostResponses: 0, latencyMs: 0 },
  };
}

export interface RequestRecord {
  route: string;
  keyLabel?: string;
  projectId?: string;
  /** HTTP status, or `hung` / `lost`. */
  outcome: string;
  rateLimited?: boolean;
  injectedStatus?: number;
  injectedLatencyMs?: number;
}

export class ApiCounterSet {
  private counters = emptyApiCounters();

  record(r: RequestRecord): void {
    const c = this.counters;
    c.total++;
    bump(c.byRoute, r.route);
    if (r.keyLabel) bump(c.byKey, r.keyLabel);
    if (r.projectId) {
      bump(c.byProject, r.projectId);
      bump((c.byProjectRoute[r.projectId] ??= {}), r.route);
    }
    bump(c.byStatus, r.outcome);
    bump((c.byRouteStatus[r.route] ??= {}), r.outcome);
    if (r.rateLimited) c.rateLimited++;
    if (r.injectedStatus) bump(c.injected.statuses, String(r.injectedStatus));
    if (r.outcome === "hung") c.injected.hung++;
    if (r.outcome === "lost") c.injected.lostResponses++;
    if (r.injectedLatencyMs) c.injected.latencyMs += r.injectedLatencyMs;
  }

  snapshot(): ApiCounters {
    return structuredClone(this.counters);
  }

  reset(): void {
    this.counters = emptyApiCounters();
  }
}
