/**
 * The provision-tenant-resources function (path `/provision-tenant-resources…`):
 *
 *   POST   /provision-tenant-resources            {organizationId, region?, plan?, size?, strategy?}
 *          (+ Idempotency-Key) owner/admin or service → 202 {tenantId, status, created, steps}
 *   GET    /provision-tenant-resources?organizationId=   members → status and steps
 *   POST   /provision-tenant-resources/retry      {organizationId, step?} owner/admin or service → 202
 *   POST   /provision-tenant-resources/resume     {organizationIds?, budgetMs?, maxTenants?} service only
 *   DELETE /provision-tenant-resources            {organizationId, confirm: true, reason?} owner or service
 *   POST   /provision-tenant-resources/reconcile  {graceMinutes?, deleteOrphans?, dryRun?} service only
 *
 * Work runs after the answer through `waitUntil` (EdgeRuntime.waitUntil on Supabase); a worker
 * that dies leaves its lease to expire and `resume` (the cron) continues the tenant.
 */
import { z } from "zod";
import { requireService, requireUserOrService, type Authenticate } from "../auth.ts";
import { AppError, validationError } from "../errors.ts";
import { json, readJson, withErrorBoundary, type Handler } from "../http.ts";
import type { Logger } from "../log.ts";
import { neonErrorToAppError } from "../neon/index.ts";
import { IDEMPOTENCY_KEY_RULE, idempotencyKey, regionId } from "../request-fields.ts";
import type { ProvisioningEngine, RunResult } from "../provisioning/index.ts";
import { COMPUTE_SIZES, PROVISIONING_STEPS, TENANT_PLANS, TENANT_STRATEGIES, type ProvisioningStatus } from "../registry/types.ts";

export const ENTRY_POINT = "provision-tenant-resources";

export const ProvisionBody = z.object({
  organizationId: z.uuid(),
  region: regionId.optional(),
  plan: z.enum(TENANT_PLANS).optional(),
  size: z.enum(COMPUTE_SIZES).optional(),
  strategy: z.enum(TENANT_STRATEGIES).optional(),
}).strict();

export const RetryBody = z.object({
  organizationId: z.uuid(),
  step: z.enum(PROVISIONING_STEPS).exclude(["claim", "activate"]).optional(),
}).strict();

export const DeprovisionBody = z.object({
  organizationId: z.uuid(),
  confirm: z.literal(true, { error: "must be true: deleting a tenant database removes its data" }),
  reason: z.string().max(500).optional(),
}).strict();

export const ResumeBody = z.object({
  organizationIds: z.array(z.uuid()).max(100).optional(),
  budgetMs: z.number().int().min(0).max(140_000).optional(),
  maxTenants: z.number().int().min(1).max(100).optional(),
}).strict();

export const ReconcileBody = z.object({
  graceMinutes: z.number().min(0).max(60 * 24 * 30).optional(),
  deleteOrphans: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  stuckMinutes: z.number().min(1).optional(),
}).strict();

export interface ProvisionHandlerDeps {
  engine: ProvisioningEngine;
  authenticate: Authenticate;
  logger: Logger;
  /** Keeps background work alive after the response (EdgeRuntime.waitUntil); tests pass `(p) => p`. */
  waitUntil: (work: Promise<unknown>) => unknown;
}

const steps = (status: ProvisioningStatus) => PROVISIONING_STEPS.map((step) => {
  const e = status[step];
  return { step, state: e?.state ?? "pending", attempts: e?.attempts ?? 0, errorCode: e?.error_code ?? null, errorMessage: e?.error_message ?? null };
});

export function createProvisionTenantResourcesHandler(deps: ProvisionHandlerDeps): Handler {
  const { engine } = deps;
  const later = (work: Promise<RunResult | null> | null) => {
    if (work) deps.waitUntil(work);
  };
  return withErrorBoundary(async (request, requestId) => {
    const url = new URL(request.url);
    const route = url.pathname.replace(/^.*\/provision-tenant-resources/, "") || "/";
    const audit = { entryPoint: ENTRY_POINT, requestId };
    const caller = requireUserOrService(await deps.authenticate(request));
    try {
      if (route === "/" && request.method === "POST") {
        const key = request.headers.get("idempotency-key");
        if (key !== null && !idempotencyKey.safeParse(key).success) throw validationError("Idempotency-Key", `Idempotency-Key ${IDEMPOTENCY_KEY_RULE}.`);
        const body = await readJson(request, ProvisionBody);
        const started = await engine.provision(caller, { ...body, idempotencyKey: key }, audit);
        later(started.work);
        const t = started.result;
        return json({ tenantId: t.id, organizationId: t.organizationId, status: t.status, created: t.created, region: t.region, plan: t.plan, size: t.computeSize, strategy: t.strategy, steps: steps(t.provisioningStatus) }, 202);
      }
      if (route === "/" && request.method === "GET") {
        const parsed = z.uuid().safeParse(url.searchParams.get("organizationId"));
        if (!parsed.success) throw validationError("organizationId", "organizationId must be a UUID query parameter.");
        const t = await engine.status(caller, parsed.data);
        return json({ tenantId: t.id, organizationId: t.organizationId, status: t.status, statusReason: t.statusReason, currentStep: t.currentStep, attempt: t.provisioningAttempt, sslStatus: t.sslStatus, graphqlEndpointUrl: t.graphqlEndpointUrl, healthStatus: t.healthStatus, activatedAt: t.activatedAt, steps: steps(t.provisioningStatus) });
      }
      if (route === "/" && request.method === "DELETE") {
        const body = await readJson(request, DeprovisionBody);
        const started = await engine.deprovision(caller, body.organizationId, body.reason ?? null, audit);
        // Deleting is a few calls: finish it within the request when possible, else continue later.
        const finished = started.work ? await started.work : null;
        return json({ tenantId: started.result.tenantId, status: finished?.status ?? started.result.status }, finished?.status === "deleted" || started.result.status === "deleted" ? 200 : 202);
      }
      if (route === "/retry" && request.method === "POST") {
        const body = await readJson(request, RetryBody);
        const started = await engine.retry(caller, body.organizationId, body.step ?? null, audit);
        later(started.work);
        return json(started.result, 202);
      }
      if (route === "/resume" && request.method === "POST") {
        requireService(caller, "Only the service role (cron, operators) may call this route.");
        const body = await readJson(request, ResumeBody);
        const report = await engine.resumeStale(body);
        for (const id of report.running) deps.logger.info("tenant still running after the resume budget", { requestId, tenantId: id });
        return json({ taken: report.taken, running: report.running, finished: report.finished.map((r) => ({ tenantId: r.tenantId, claimed: r.claimed, status: r.status, failure: r.failure ?? null })) });
      }
      if (route === "/reconcile" && request.method === "POST") {
        requireService(caller, "Only the service role (cron, operators) may call this route.");
        const body = await readJson(request, ReconcileBody);
        return json(await engine.reconcile(body));
      }
    } catch (error) {
      throw neonErrorToAppError(error);
    }
    if (["/", "/retry", "/resume", "/reconcile"].includes(route)) throw new AppError("METHOD_NOT_ALLOWED", "Method not allowed on this route.");
    throw new AppError("NOT_FOUND", "Unknown route. See the function's documentation for its routes.");
  }, deps.logger);
}
