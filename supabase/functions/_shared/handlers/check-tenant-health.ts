/**
 * POST /check-tenant-health
 *   `{ organizationId, force? }`  one tenant on demand: owners/admins (user token) or the service.
 *   `{ tenantId, force?, source? }` one tenant by id: service only (engine, operators).
 *   `{ mode: "sweep", cursor? }`  one sweep step over all active tenants: service only (the cron
 *                                 sends its secret key in `apikey`); continues where the last
 *                                 step stopped unless `cursor` says otherwise.
 * `verify_jwt` is off for this function (the cron has no JWT), so every request is authenticated
 * here: user JWTs against the JWKS, secret keys by timing-safe comparison (auth.ts).
 */
import { z } from "zod";
import { requireService, requireUserOrService, type Authenticate } from "../auth.ts";
import { json, readJson, requireMethod, withErrorBoundary, type Handler } from "../http.ts";
import type { Logger } from "../log.ts";
import { checkTenantHealthById, checkTenantHealthForOrganization, runSweep, type HealthDeps, type TenantHealthResult } from "../health/index.ts";

export const CheckTenantHealthBody = z.union([
  z.object({ mode: z.literal("sweep"), cursor: z.uuid().nullable().optional(), scheduledAt: z.string().max(64).optional() }).strict(),
  z.object({ organizationId: z.uuid(), force: z.boolean().default(false) }).strict(),
  z.object({ tenantId: z.uuid(), force: z.boolean().default(false), source: z.enum(["requested", "provisioning"]).default("requested") }).strict(),
]);

export interface CheckTenantHealthHandlerDeps {
  health: HealthDeps;
  authenticate: Authenticate;
  logger: Logger;
}

const view = (r: TenantHealthResult) => ({
  tenantId: r.tenantId, organizationId: r.organizationId, status: r.status, latencyMs: r.latencyMs, checks: r.checks,
  errorCode: r.errorCode, sqlProbed: r.sqlProbed, checkId: r.checkId, alert: r.alert,
});

export function createCheckTenantHealthHandler(deps: CheckTenantHealthHandlerDeps): Handler {
  return withErrorBoundary(async (request, requestId) => {
    requireMethod(request, "POST");
    const caller = requireUserOrService(await deps.authenticate(request), "Sign in first (Authorization: Bearer <token>), or call with a secret API key in `apikey`.");
    const body = await readJson(request, CheckTenantHealthBody);

    if ("mode" in body) {
      requireService(caller, "Only the service role (a secret API key) may run a health sweep.");
      const summary = await runSweep(deps.health, { owner: `sweep:${requestId}`.slice(0, 100), cursor: body.cursor, requestId });
      deps.logger.info("health sweep step", { requestId, ...summary, byStatus: summary.byStatus });
      return json({ sweep: summary }, summary.ran ? 200 : 202);
    }
    if ("tenantId" in body) {
      requireService(caller, "Only the service role may check a tenant by id; owners and admins send organizationId.");
      return json({ health: view(await checkTenantHealthById(deps.health, { tenantId: body.tenantId, force: body.force, source: body.source, requestId })) });
    }
    const result = await checkTenantHealthForOrganization(deps.health, caller, { organizationId: body.organizationId, force: body.force, requestId });
    return json({ health: view(result) });
  }, deps.logger);
}
