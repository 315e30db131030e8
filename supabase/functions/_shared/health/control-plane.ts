/**
 * The control-plane tier: what Neon's API says about each tenant's compute, without touching the
 * compute. Batched: one `listProjects` page covers up to 400 project-per-tenant tenants (its
 * items carry `compute_last_active_at`, `synthetic_storage_size` and the suspend timeout), and
 * one `listEndpoints(project)` covers every branch-per-tenant tenant of a shared project
 * (`current_state` of each endpoint). A sweep of N tenants costs about N/400 + (shared
 * projects) API calls.
 */
import type { NeonGateway, ProjectListItem } from "../neon/index.ts";
import type { ControlPlaneFacts } from "./classify.ts";

export interface TenantNeonRef {
  tenantId: string;
  strategy: "project" | "branch";
  neonProjectId: string | null;
  neonEndpointId: string | null;
}

const PAGE = 400;

/** Seconds of inactivity after which Neon suspends (0 → Neon's default 300; -1 → never). */
function effectiveSuspendSeconds(value: number | undefined): number {
  if (value === undefined || value === 0) return 300;
  return value < 0 ? Number.POSITIVE_INFINITY : value;
}

/**
 * Active when the project's computes were active within `min(activeWithin, suspend timeout)`:
 * Neon reports `compute_last_active_at` ≈ now while a compute runs, and a compute whose last
 * activity is older than its suspend timeout has certainly been suspended. Erring towards idle is
 * safe (the tenant is reported idle, not woken); erring towards active would wake it.
 */
export function projectFacts(item: ProjectListItem, nowMs: number, activeWithinSeconds: number): ControlPlaneFacts {
  const suspend = effectiveSuspendSeconds(item.default_endpoint_settings?.suspend_timeout_seconds);
  const lastActiveAt = item.compute_last_active_at ?? null;
  const ageMs = lastActiveAt ? Math.max(0, nowMs - Date.parse(lastActiveAt)) : Number.POSITIVE_INFINITY;
  const windowMs = Math.min(activeWithinSeconds, suspend) * 1000;
  const active = suspend === Number.POSITIVE_INFINITY ? lastActiveAt !== null : ageMs <= windowMs;
  return {
    state: active ? "active" : "idle",
    lastActiveAt,
    storageBytes: item.synthetic_storage_size ?? null,
    suspendTimeoutSeconds: item.default_endpoint_settings?.suspend_timeout_seconds ?? null,
    maxCu: item.default_endpoint_settings?.autoscaling_limit_max_cu ?? null,
  };
}

/** Facts for many tenants in as few API calls as possible. */
export async function readControlPlane(gateway: NeonGateway, tenants: readonly TenantNeonRef[], options: { now: () => number; activeWithinSeconds: number }): Promise<Map<string, ControlPlaneFacts>> {
  const facts = new Map<string, ControlPlaneFacts>();
  const byProject = tenants.filter((t) => t.strategy === "project" && t.neonProjectId);
  const byBranch = tenants.filter((t) => t.strategy === "branch" && t.neonProjectId && t.neonEndpointId);
  for (const t of tenants) if (!t.neonProjectId || (t.strategy === "branch" && !t.neonEndpointId)) facts.set(t.tenantId, { state: "missing", error: "no Neon resource recorded" });

  if (byProject.length) {
    try {
      const items = new Map<string, ProjectListItem>();
      const wanted = new Set(byProject.map((t) => t.neonProjectId!));
      let cursor: string | undefined;
      for (;;) {
        const page = await gateway.listProjects({ limit: PAGE, ...(cursor ? { cursor } : {}) });
        for (const p of page.projects) if (wanted.has(p.id)) items.set(p.id, p);
        if (!page.nextCursor || page.nextCursor === cursor || items.size === wanted.size) break;
        cursor = page.nextCursor;
      }
      const now = options.now();
      for (const t of byProject) {
        const item = items.get(t.neonProjectId!);
        facts.set(t.tenantId, item ? projectFacts(item, now, options.activeWithinSeconds) : { state: "missing", error: "Neon project not found" });
      }
    } catch (error) {
      for (const t of byProject) facts.set(t.tenantId, { state: "unknown", error: errorText(error) });
    }
  }

  const groups = new Map<string, TenantNeonRef[]>();
  for (const t of byBranch) groups.set(t.neonProjectId!, [...(groups.get(t.neonProjectId!) ?? []), t]);
  for (const [projectId, members] of groups) {
    try {
      const endpoints = new Map((await gateway.listEndpoints(projectId)).map((e) => [e.id, e]));
      for (const t of members) {
        const ep = endpoints.get(t.neonEndpointId!);
        facts.set(t.tenantId, ep
          ? { state: ep.current_state === "active" ? "active" : "idle", lastActiveAt: ep.last_active ?? null, suspendTimeoutSeconds: ep.suspend_timeout_seconds ?? null, maxCu: ep.autoscaling_limit_max_cu ?? null }
          : { state: "missing", error: "Neon endpoint not found" });
      }
    } catch (error) {
      for (const t of members) facts.set(t.tenantId, { state: "unknown", error: errorText(error) });
    }
  }
  return facts;
}

/** One tenant, exactly: its endpoint's `current_state` (one call). Used by on-demand checks. */
export async function readControlPlaneOne(gateway: NeonGateway, tenant: TenantNeonRef): Promise<ControlPlaneFacts> {
  if (!tenant.neonProjectId) return { state: "missing", error: "no Neon resource recorded" };
  try {
    const endpoints = await gateway.listEndpoints(tenant.neonProjectId);
    const ep = tenant.neonEndpointId ? endpoints.find((e) => e.id === tenant.neonEndpointId) : endpoints.find((e) => e.type === "read_write") ?? endpoints[0];
    if (!ep) return { state: "missing", error: "Neon endpoint not found" };
    return { state: ep.current_state === "active" ? "active" : "idle", lastActiveAt: ep.last_active ?? null, suspendTimeoutSeconds: ep.suspend_timeout_seconds ?? null, maxCu: ep.autoscaling_limit_max_cu ?? null };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) return { state: "missing", error: "Neon project not found" };
    return { state: "unknown", error: errorText(error) };
  }
}

function errorText(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return String(e?.code ?? e?.message ?? "Neon API call failed").slice(0, 200);
}
