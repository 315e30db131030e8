/**
 * `NeonGateway` over the official `@neondatabase/api-client`. The base URL is the only thing that
 * distinguishes Neon from the local emulator; there are no emulator-only paths.
 *
 * Every HTTP attempt goes through `send()`: wait for the shared rate budget, call the client with
 * an `X-Request-ID`, classify failures, retry what is safe (retry-policy.ts), count the attempt
 * per tenant (call-stats.ts). Runtime-agnostic: clock, sleep, randomness and `fetch` are options
 * with Web-standard defaults; the client uses axios' fetch adapter because axios' default adapter
 * breaks on Supabase's edge runtime (supabase/edge-runtime#369).
 */
import { createApiClient, type Api, type EndpointType, type ProjectCreateRequest } from "@neondatabase/api-client";
import type { Logger } from "../log.ts";
import { NeonApiError, type NeonFailureKind } from "./errors.ts";
import { sleep as defaultSleep } from "../backoff.ts";
import { AMBIGUOUS, DEFAULT_RETRY_POLICY, decideRetry, parseRetryAfter, type RetryPolicy } from "./retry-policy.ts";
import { CLIENT_RATE_LIMITS, processRateBudget, type RateBudget, type RateLimits } from "./rate-budget.ts";
import { createCallStats, type CallStats, type NeonCallOutcome } from "./call-stats.ts";
import { waitForOperations, type OperationWaitOptions } from "./operations.ts";
import { createRegionCatalog, type RegionCatalog } from "./regions.ts";
import type { ComputeSettings, NeonGateway, NeonGatewayRoot, ProjectListItem } from "./gateway.ts";

export const NEON_API_URL = "https://console.neon.tech/api/v2";

/** Per-request client timeout when none is configured. */
export const DEFAULT_NEON_TIMEOUT_MS = 20_000;

export interface NeonGatewayOptions {
  apiKey: string;
  /** Neon's API (`NEON_API_URL`) or the local emulator's `/api/v2`. */
  baseUrl: string;
  /** Required by Neon with a personal API key; inferred from an organization key. */
  orgId?: string;
  /** Per-request client timeout. @default 20000 */
  timeoutMs?: number;
  /** The fetch the client uses. @default globalThis.fetch */
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Defaults for `waitForOperations`. */
  operationWait?: OperationWaitOptions;
  /** Limits of the process-wide budget (ignored when `budget` is given). @default 700/min, 36/s per route (`CLIENT_RATE_LIMITS`) */
  rateLimits?: RateLimits;
  /** A specific budget (tests, benchmarks). @default processRateBudget(rateLimits) */
  budget?: RateBudget;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1); used for backoff jitter. */
  random?: () => number;
  newRequestId?: () => string;
  /** Retries at debug, give-ups at warn; route, status, Neon code and request id only. */
  logger?: Logger;
  /** @default 3600000 */
  regionCacheTtlMs?: number;
}

/** Tenant key of calls made through the root gateway (reconcile, region lookups). */
export const PLATFORM_TENANT_KEY = "platform";

interface Failure {
  kind: NeonFailureKind;
  status: number | null;
  code: string;
  message: string;
  retryAfterMs?: number;
  /** Neon's `request_id` from the error body (normally the X-Request-ID we sent). */
  neonRequestId?: string;
}

interface CallSpec<T> {
  /** Method and path template: the rate-budget route and the name in errors and events. */
  route: string;
  /** Safe to repeat after an ambiguous failure (5xx other than 503, timeout, network). */
  retrySafe: boolean;
  /** Failure statuses the method handles itself; returned instead of thrown. */
  handled?: readonly number[];
  run: (params: { headers: Record<string, string> }) => Promise<{ status: number; data: T }>;
}

type Sent<T> = { ok: true; status: number; data: T } | { ok: false; status: number };

interface Core {
  api: Api<unknown>;
  options: NeonGatewayOptions;
  policy: RetryPolicy;
  budget: RateBudget;
  stats: CallStats;
  regions: RegionCatalog;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  newRequestId: () => string;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const value = typeof h.get === "function" ? h.get(name) : h[name];
  return typeof value === "string" ? value : undefined;
}

const KIND_BY_STATUS: Record<number, NeonFailureKind> = { 404: "not_found", 409: "conflict", 423: "locked", 429: "rate_limited", 503: "unavailable" };

/** Classifies what the client threw. Errors that are not from the HTTP layer are bugs: rethrown. */
function classify(error: unknown, nowMs: number, timeoutMs: number): Failure {
  const e = error as { isAxiosError?: boolean; code?: string; message?: string; response?: { status?: unknown; data?: unknown; headers?: unknown } } | null;
  if (!e?.isAxiosError) throw error;
  const status = e.response?.status;
  if (typeof status === "number") {
    const body = (e.response?.data && typeof e.response.data === "object" ? e.response.data : {}) as { code?: unknown; message?: unknown; request_id?: unknown };
    return {
      kind: KIND_BY_STATUS[status] ?? (status >= 500 ? "server_error" : "client_error"),
      status,
      code: typeof body.code === "string" ? body.code : "",
      // Only Neon's JSON message; an HTML error page from a proxy is not worth echoing.
      message: typeof body.message === "string" && body.message ? body.message : `HTTP ${status}`,
      retryAfterMs: parseRetryAfter(headerValue(e.response?.headers, "retry-after"), nowMs),
      ...(typeof body.request_id === "string" && body.request_id ? { neonRequestId: body.request_id } : {}),
    };
  }
  if (e.code === "ECONNABORTED" || e.code === "ETIMEDOUT") {
    return { kind: "timeout", status: null, code: e.code, message: `no response within ${timeoutMs} ms` };
  }
  return { kind: "network", status: null, code: e.code ?? "", message: e.message ?? "network error" };
}

async function send<T>(core: Core, tenantKey: string, spec: CallSpec<T>): Promise<Sent<T>> {
  const started = core.clock();
  let attempt = 0;
  let ambiguousRetries = 0;
  for (;;) {
    attempt++;
    const throttledMs = await core.budget.acquire(spec.route);
    const requestId = core.newRequestId();
    const sentAt = core.clock();
    const base = { tenantKey, route: spec.route, attempt, throttledMs, requestId };
    let failure: Failure;
    try {
      const response = await spec.run({ headers: { "X-Request-ID": requestId } });
      core.stats.record({ ...base, status: response.status, outcome: "ok", durationMs: core.clock() - sentAt, willRetry: false, failed: false });
      return { ok: true, status: response.status, data: response.data };
    } catch (error) {
      failure = classify(error, core.clock(), core.options.timeoutMs ?? DEFAULT_NEON_TIMEOUT_MS);
    }
    const durationMs = core.clock() - sentAt;
    const outcome: NeonCallOutcome = failure.kind;
    if (failure.status !== null && spec.handled?.includes(failure.status)) {
      core.stats.record({ ...base, status: failure.status, outcome, durationMs, willRetry: false, failed: false });
      return { ok: false, status: failure.status };
    }
    const decision = decideRetry({
      kind: failure.kind,
      retryAfterMs: failure.retryAfterMs,
      retrySafe: spec.retrySafe,
      attempt,
      ambiguousRetries,
      elapsedMs: core.clock() - started,
      policy: core.policy,
      random: core.random,
    });
    if (failure.kind === "rate_limited") {
      // The account is over budget, not just this call: hold every route back as long as we wait.
      const pauseMs = decision.retry ? decision.delayMs : Math.min(failure.retryAfterMs ?? 0, core.policy.maxRetryAfterMs);
      core.budget.pauseUntil(core.clock() + pauseMs);
    }
    core.stats.record({ ...base, status: failure.status, outcome, durationMs, willRetry: decision.retry, ...(decision.retry ? { retryInMs: decision.delayMs } : {}), failed: !decision.retry });
    const logFields = { route: spec.route, status: failure.status, neonCode: failure.code || undefined, requestId, attempt, tenantKey };
    if (!decision.retry) {
      core.options.logger?.warn("neon call failed", { ...logFields, kind: failure.kind });
      throw toNeonApiError(failure, spec, requestId, attempt);
    }
    core.options.logger?.debug("neon call retrying", { ...logFields, kind: failure.kind, retryInMs: decision.delayMs });
    if (AMBIGUOUS.has(failure.kind)) ambiguousRetries++;
    await core.sleep(decision.delayMs);
  }
}

function toNeonApiError(failure: Failure, spec: CallSpec<unknown>, requestId: string, attempts: number): NeonApiError {
  const ambiguous = AMBIGUOUS.has(failure.kind);
  const refused = failure.kind === "locked" || failure.kind === "rate_limited" || failure.kind === "unavailable";
  return new NeonApiError({
    kind: failure.kind,
    status: failure.status,
    code: failure.code,
    message: `Neon ${spec.route} failed after ${attempts} attempt(s): ${failure.status ?? failure.kind} ${failure.message}`,
    requestId: failure.neonRequestId ?? requestId,
    route: spec.route,
    retryable: refused || (ambiguous && spec.retrySafe),
    outcomeUnknown: ambiguous && !spec.retrySafe,
    retryAfterMs: failure.retryAfterMs,
    attempts,
  });
}

/** A `NeonApiError` for a status a method chose to handle but then could not resolve. */
function unresolved(route: string, status: number, kind: NeonFailureKind, message: string): NeonApiError {
  return new NeonApiError({ kind, status, code: "", message: `Neon ${route}: ${message}`, route, retryable: false, outcomeUnknown: false, attempts: 1 });
}

const endpointSettings = (compute: Partial<ComputeSettings>) => ({
  ...(compute.minCu !== undefined ? { autoscaling_limit_min_cu: compute.minCu } : {}),
  ...(compute.maxCu !== undefined ? { autoscaling_limit_max_cu: compute.maxCu } : {}),
  ...(compute.suspendTimeoutSeconds !== undefined ? { suspend_timeout_seconds: compute.suspendTimeoutSeconds } : {}),
});

const PAGE_LIMIT = 100;

/**
 * Every project of a `search` listing (a substring match) that `keep` accepts, page by page
 * (400 per page, Neon's maximum). Used by `findProjectByName` and by reconcile.
 */
export async function searchProjects(gateway: Pick<NeonGateway, "listProjects">, search: string, keep: (project: ProjectListItem) => boolean): Promise<ProjectListItem[]> {
  const matches: ProjectListItem[] = [];
  for (let cursor: string | undefined; ;) {
    const page = await gateway.listProjects({ search, limit: 400, ...(cursor ? { cursor } : {}) });
    matches.push(...page.projects.filter(keep));
    if (!page.nextCursor || page.nextCursor === cursor) return matches;
    cursor = page.nextCursor;
  }
}

function bind(core: Core, tenantKey: string): NeonGateway {
  const { api } = core;
  const orgId = core.options.orgId;
  const call = <T>(spec: CallSpec<T>) => send(core, tenantKey, spec);
  const must = <T>(sent: Sent<T>): T => {
    if (!sent.ok) throw new Error(`unhandled Neon status ${sent.status}`); // unreachable: only `handled` statuses get here
    return sent.data;
  };

  const gateway: NeonGateway = {
    tenantKey,

    findProjectByName: (name) => searchProjects(gateway, name, (p) => p.name === name),

    async createProject(input) {
      const body: ProjectCreateRequest = {
        project: {
          name: input.name,
          region_id: input.regionId,
          pg_version: input.pgVersion ?? 17,
          default_endpoint_settings: endpointSettings(input.compute),
          ...(input.historyRetentionSeconds !== undefined ? { history_retention_seconds: input.historyRetentionSeconds } : {}),
          ...(orgId ? { org_id: orgId } : {}),
          branch: {
            ...(input.branchName ? { name: input.branchName } : {}),
            ...(input.databaseName ? { database_name: input.databaseName } : {}),
            ...(input.roleName ? { role_name: input.roleName } : {}),
            ...(input.annotations ? { annotations: input.annotations } : {}),
          },
        },
      };
      // POST /projects is not idempotent and names are not unique: never repeated on ambiguity.
      const data = must(await call({ route: "POST /projects", retrySafe: false, run: (p) => api.createProject(body, p) }));
      return {
        project: data.project,
        branch: data.branch,
        endpoints: data.endpoints ?? [],
        roles: data.roles ?? [],
        databases: data.databases ?? [],
        operations: data.operations ?? [],
        connectionUris: data.connection_uris ?? [],
      };
    },

    async getProject(projectId) {
      const sent = await call({ route: "GET /projects/{project_id}", retrySafe: true, handled: [404], run: (p) => api.getProject(projectId, p) });
      return sent.ok ? sent.data.project : null;
    },

    async deleteProject(projectId) {
      // Retry-safe: a repeated DELETE of a deleted project answers 404, which means gone.
      const sent = await call({ route: "DELETE /projects/{project_id}", retrySafe: true, handled: [404], run: (p) => api.deleteProject(projectId, p) });
      return { existed: sent.ok, operations: [] };
    },

    async listProjects(query = {}) {
      const limit = query.limit ?? PAGE_LIMIT;
      const data = must(await call({
        route: "GET /projects",
        retrySafe: true,
        run: (p) => api.listProjects({ limit, ...(query.cursor ? { cursor: query.cursor } : {}), ...(query.search ? { search: query.search } : {}), ...(orgId ? { org_id: orgId } : {}) }, p),
      }));
      const projects = data.projects ?? [];
      return { projects, nextCursor: projects.length < limit ? null : data.pagination?.cursor ?? null };
    },

    async createBranch(projectId, input) {
      const body = {
        branch: {
          name: input.name,
          ...(input.parentId ? { parent_id: input.parentId } : {}),
          ...(input.initSource ? { init_source: input.initSource } : {}),
        },
        ...(input.endpoint ? { endpoints: [{ type: "read_write" as EndpointType, ...endpointSettings(input.endpoint) }] } : {}),
        ...(input.annotations ? { annotation_value: input.annotations } : {}),
      };
      // Retry-safe although a POST: names are unique per project, so a repeat of a request that
      // did succeed answers 409, which we resolve to the existing branch (create-or-get).
      const route = "POST /projects/{project_id}/branches";
      const sent = await call({ route, retrySafe: true, handled: [409], run: (p) => api.createProjectBranch(projectId, body, p) });
      if (sent.ok) {
        return { branch: sent.data.branch, endpoints: sent.data.endpoints ?? [], operations: sent.data.operations ?? [], created: true };
      }
      const existing = await gateway.findBranchByName(projectId, input.name);
      if (!existing) throw unresolved(route, 409, "conflict", `branch '${input.name}' was reported as existing but cannot be found`);
      const endpoints = must(await call({
        route: "GET /projects/{project_id}/branches/{branch_id}/endpoints",
        retrySafe: true,
        run: (p) => api.listProjectBranchEndpoints(projectId, existing.id, p),
      })).endpoints ?? [];
      return { branch: existing, endpoints, operations: [], created: false };
    },

    async findBranchByName(projectId, name) {
      let cursor: string | undefined;
      for (;;) {
        const data = must(await call({
          route: "GET /projects/{project_id}/branches",
          retrySafe: true,
          run: (p) => api.listProjectBranches({ projectId, search: name, limit: PAGE_LIMIT, ...(cursor ? { cursor } : {}) }, p),
        }));
        // `search` is a substring match on name or id.
        const match = (data.branches ?? []).find((b) => b.name === name);
        if (match) return match;
        const next = data.pagination?.next;
        if (!next || next === cursor || (data.branches ?? []).length < PAGE_LIMIT) return null;
        cursor = next;
      }
    },

    async deleteBranch(projectId, branchId) {
      const sent = await call({
        route: "DELETE /projects/{project_id}/branches/{branch_id}",
        retrySafe: true,
        handled: [404],
        run: (p) => api.deleteProjectBranch({ projectId, branchId }, p),
      });
      // 204 (no body) means the branch did not exist or was already deleted.
      if (!sent.ok || sent.status === 204 || !sent.data || typeof sent.data !== "object") return { existed: false, operations: [] };
      return { existed: true, operations: sent.data.operations ?? [] };
    },

    waitForOperations(projectId, operations, options) {
      return waitForOperations({
        getOperation: async (pid, operationId) => must(await call({
          route: "GET /projects/{project_id}/operations/{operation_id}",
          retrySafe: true,
          run: (p) => api.getProjectOperation(pid, operationId, p),
        })).operation,
        listOperations: async (pid, limit) => must(await call({
          route: "GET /projects/{project_id}/operations",
          retrySafe: true,
          run: (p) => api.listProjectOperations({ projectId: pid, limit }, p),
        })).operations ?? [],
        clock: core.clock,
        sleep: core.sleep,
      }, projectId, operations, { ...core.options.operationWait, ...options });
    },

    async getConnectionUri(input) {
      const data = must(await call({
        route: "GET /projects/{project_id}/connection_uri",
        retrySafe: true,
        run: (p) => api.getConnectionUri({
          projectId: input.projectId,
          database_name: input.databaseName,
          role_name: input.roleName,
          pooled: input.pooled,
          ...(input.branchId ? { branch_id: input.branchId } : {}),
          ...(input.endpointId ? { endpoint_id: input.endpointId } : {}),
        }, p),
      }));
      return data.uri;
    },

    async createRole(projectId, branchId, roleName) {
      const data = must(await call({
        route: "POST /projects/{project_id}/branches/{branch_id}/roles",
        retrySafe: false,
        run: (p) => api.createProjectBranchRole(projectId, branchId, { role: { name: roleName } }, p),
      }));
      return { role: data.role, password: data.role.password ?? "", operations: data.operations ?? [] };
    },

    async resetRolePassword(projectId, branchId, roleName) {
      // Retry-safe: a repeat just issues a newer password, and the answer we finally get carries
      // the password that is current (Neon serialises the resets through its operation lock).
      const data = must(await call({
        route: "POST /projects/{project_id}/branches/{branch_id}/roles/{role_name}/reset_password",
        retrySafe: true,
        run: (p) => api.resetProjectBranchRolePassword(projectId, branchId, roleName, p),
      }));
      return { role: data.role, password: data.role.password ?? "", operations: data.operations ?? [] };
    },

    async listEndpoints(projectId) {
      return must(await call({ route: "GET /projects/{project_id}/endpoints", retrySafe: true, run: (p) => api.listProjectEndpoints(projectId, p) })).endpoints ?? [];
    },

    async getEndpoint(projectId, endpointId) {
      const sent = await call({ route: "GET /projects/{project_id}/endpoints/{endpoint_id}", retrySafe: true, handled: [404], run: (p) => api.getProjectEndpoint(projectId, endpointId, p) });
      return sent.ok ? sent.data.endpoint : null;
    },

    async updateEndpoint(projectId, endpointId, compute) {
      // Retry-safe: the body holds absolute values, so applying it twice equals applying it once.
      const data = must(await call({
        route: "PATCH /projects/{project_id}/endpoints/{endpoint_id}",
        retrySafe: true,
        run: (p) => api.updateProjectEndpoint(projectId, endpointId, { endpoint: endpointSettings(compute) }, p),
      }));
      return { endpoint: data.endpoint, operations: data.operations ?? [] };
    },

    getActiveRegions: () => core.regions.list(),
    validateRegion: (regionId) => core.regions.validate(regionId),
  };
  return gateway;
}

export function createNeonGateway(options: NeonGatewayOptions): NeonGatewayRoot {
  if (!options.apiKey) throw new Error("Neon gateway: apiKey is empty. Set NEON_API_KEY.");
  const api = createApiClient({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    timeout: options.timeoutMs ?? DEFAULT_NEON_TIMEOUT_MS,
    adapter: "fetch",
    ...(options.fetch ? { env: { fetch: options.fetch } } : {}),
  });
  const clock = options.clock ?? (() => Date.now());
  const sleep = options.sleep ?? defaultSleep;
  const stats = createCallStats();
  const core: Core = {
    api,
    options,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    budget: options.budget ?? processRateBudget(options.rateLimits ?? CLIENT_RATE_LIMITS),
    stats,
    regions: createRegionCatalog({
      clock,
      ttlMs: options.regionCacheTtlMs,
      // Region lookups happen on behalf of the platform, not of a tenant.
      fetchRegions: async () => {
        const sent = await send(core, PLATFORM_TENANT_KEY, {
          route: "GET /regions",
          retrySafe: true,
          run: (p) => api.getActiveRegions(options.orgId ? { org_id: options.orgId } : {}, p),
        });
        return sent.ok ? sent.data.regions ?? [] : [];
      },
    }),
    clock,
    sleep,
    random: options.random ?? Math.random,
    newRequestId: options.newRequestId ?? (() => crypto.randomUUID()),
  };
  const platform = bind(core, PLATFORM_TENANT_KEY);
  return {
    ...platform,
    forTenant: (tenantKey) => bind(core, tenantKey),
    countsFor: (tenantKey) => stats.countsFor(tenantKey),
    allCounts: () => stats.allCounts(),
    onCall: (listener) => stats.onCall(listener),
  };
}
