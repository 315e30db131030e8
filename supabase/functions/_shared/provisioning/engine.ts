/**
 * The provisioning engine: what the edge function, the cron and GraphQL mutations call.
 *
 *   provision(caller, input)      validate → request (idempotent) → { tenant view, work }
 *   run(tenantId)                 one run from the first unfinished step (run.ts)
 *   resumeStale({ budgetMs })     tenants whose worker died (lease expired) or never started
 *   retry(caller, orgId, step?)   failed → pending (from a named step) → run
 *   deprovision(caller, orgId)    → deprovisioning → Neon + Vault deleted → deleted
 *   reconcile(options)            orphans both ways, stuck tenants (reconcile.ts)
 *
 * Methods that start work return it as `work` (a promise that never rejects) so the HTTP handler
 * can hand it to EdgeRuntime.waitUntil and answer 202 at once.
 */
import { asService, readAsCaller, withCaller } from "../db.ts";
import type { Caller } from "../auth.ts";
import { AppError } from "../errors.ts";
import { computeSettingsFor, placementFor, type Size } from "../neon/index.ts";
import type { AuditContext, ComputeSize, ProvisioningStep, TenantPlan, TenantStrategy } from "../registry/types.ts";
import { getTenantStatus, requestTenantDeprovisioning, retryTenantProvisioning, requestTenantProvisioning, type TenantStatusView } from "../registry/tenants.ts";
import { resolveDeps } from "./context.ts";
import { runTenant, type RunResult } from "./run.ts";
import { reconcile, type ReconcileOptions, type ReconcileReport } from "./reconcile.ts";
import type { ProvisioningDeps, ResolvedDeps } from "./types.ts";

export interface ProvisionInput {
  organizationId: string;
  region?: string;
  plan?: TenantPlan;
  size?: ComputeSize;
  strategy?: TenantStrategy;
  idempotencyKey?: string | null;
}

export interface Started<T> {
  result: T;
  /** Background work; resolves (never rejects) when the run ends. Null when nothing was started. */
  work: Promise<RunResult | null> | null;
}

export interface ResumeOptions {
  /** Stop taking new tenants after this long (runs already started finish in the background). @default 50000 */
  budgetMs?: number;
  /** @default 25 */
  maxTenants?: number;
  /** Only these organizations (tests, targeted operator runs); otherwise the whole queue. */
  organizationIds?: string[];
}

export interface ResumeReport {
  taken: string[];
  finished: RunResult[];
  /** Still running when the budget ran out. */
  running: string[];
}

export type ProvisioningEngine = ReturnType<typeof createProvisioningEngine>;

export function createProvisioningEngine(input: ProvisioningDeps) {
  const deps: ResolvedDeps = resolveDeps(input);
  const newWorkerId = () => `${deps.workerPrefix}:${deps.newId()}`.slice(0, 100);

  const run = (tenantId: string, workerId = newWorkerId()): Promise<RunResult> => runTenant(deps, tenantId, workerId);
  /** Background form of run: logs instead of rejecting. */
  const background = (tenantId: string): Promise<RunResult | null> => run(tenantId).catch((error: unknown) => {
    deps.logger.error("provisioning run crashed", { tenantId, error });
    return null;
  });

  async function status(caller: Caller, organizationId: string): Promise<TenantStatusView> {
    const view = await readAsCaller(deps.sql, caller, (tx) => getTenantStatus(tx, organizationId));
    if (!view) throw new AppError("NOT_FOUND", "This organization has no tenant database (or you are not a member). Request provisioning first.");
    return view;
  }

  async function provision(caller: Caller, request: ProvisionInput, audit: AuditContext): Promise<Started<TenantStatusView & { created: boolean }>> {
    let plan = request.plan;
    if (!plan) {
      // Read as the caller: an organization they cannot see looks the same as one that does not
      // exist, so this cannot be used to probe other organizations.
      const [org] = await readAsCaller(deps.sql, caller, (tx) => tx<{ plan: TenantPlan }[]>`select plan from public.organizations where id = ${request.organizationId} and deleted_at is null`);
      if (!org) throw new AppError("NOT_FOUND", "No organization with this id that you are a member of.", { details: { field: "organizationId" } });
      plan = org.plan;
    }
    // Validation with field names before anything is stored (plans.ts and the region list).
    computeSettingsFor(plan, request.size as Size | undefined);
    placementFor(plan, request.strategy);
    const region = request.region ?? (await deps.gateway.getActiveRegions()).defaultRegionId ?? "aws-us-east-2";
    await deps.gateway.validateRegion(region);
    const requested = await withCaller(deps.sql, caller, (tx) => requestTenantProvisioning(tx, {
      organizationId: request.organizationId, region, plan: request.plan ?? null, computeSize: request.size ?? null,
      strategy: request.strategy ?? "project", idempotencyKey: request.idempotencyKey ?? null,
    }, audit));
    const view = await asService(deps.sql, (tx) => getTenantStatus(tx, request.organizationId));
    if (!view) throw new AppError("CONFLICT", "The tenant database was deleted meanwhile. Request provisioning again.");
    // Pending: start now. Provisioning: a live worker has it (claim refuses) or it died (we take over).
    const work = view.status === "pending" || view.status === "provisioning" ? background(requested.tenantId) : null;
    return { result: { ...view, created: requested.created }, work };
  }

  async function retry(caller: Caller, organizationId: string, step: ProvisioningStep | null, audit: AuditContext): Promise<Started<{ tenantId: string; status: string; retried: boolean }>> {
    const result = await withCaller(deps.sql, caller, (tx) => retryTenantProvisioning(tx, organizationId, audit, step));
    return { result, work: result.status === "pending" || result.status === "provisioning" ? background(result.tenantId) : null };
  }

  async function deprovision(caller: Caller, organizationId: string, reason: string | null, audit: AuditContext): Promise<Started<{ tenantId: string; status: string }>> {
    let result: { tenantId: string; status: string };
    try {
      result = await withCaller(deps.sql, caller, (tx) => requestTenantDeprovisioning(tx, organizationId, reason, audit));
    } catch (error) {
      // Idempotent: a repeat after completion finds no live tenant; report the deleted one.
      if (error instanceof AppError && error.code === "NOT_FOUND") {
        const [last] = await readAsCaller(deps.sql, caller, (tx) => tx<{ id: string }[]>`
          select id from public.tenant_databases where organization_id = ${organizationId} and status = 'deleted' order by deleted_at desc limit 1`);
        if (last) return { result: { tenantId: last.id, status: "deleted" }, work: null };
      }
      throw error;
    }
    return { result, work: background(result.tenantId) };
  }

  async function resumeStale(options: ResumeOptions = {}): Promise<ResumeReport> {
    const budgetMs = options.budgetMs ?? 50_000;
    const deadline = deps.now() + budgetMs;
    const rows = await asService(deps.sql, (tx) => tx<{ id: string }[]>`
      select id from public.tenant_databases
      where (status = 'pending' or (status in ('provisioning', 'deprovisioning') and (lease_owner is null or lease_expires_at <= now())))
        and (${options.organizationIds ?? null}::uuid[] is null or organization_id = any(${options.organizationIds ?? null}::uuid[]))
      order by created_at
      limit ${options.maxTenants ?? 25}`);
    const finished: RunResult[] = [];
    const runs = rows.map((r) => background(r.id).then((res) => { if (res) finished.push(res); }));
    const all = Promise.all(runs);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([all, new Promise<void>((resolve) => { timer = setTimeout(resolve, Math.max(0, deadline - deps.now())); })]);
    clearTimeout(timer);
    const done = new Set(finished.map((f) => f.tenantId));
    return { taken: rows.map((r) => r.id), finished: [...finished], running: rows.map((r) => r.id).filter((id) => !done.has(id)) };
  }

  return {
    deps,
    run,
    status,
    provision,
    retry,
    deprovision,
    resumeStale,
    reconcile: (options?: ReconcileOptions): Promise<ReconcileReport> => reconcile(deps, options),
  };
}
