/**
 * One tenant: decide whether to run the SQL probe, classify, store the result (and the alert
 * event, if the status changed level), post the alert. Shared by the sweep, the on-demand check
 * (function and GraphQL `checkTenantHealth`) and the provisioning engine's `first_health_check`.
 */
import { asService, withCaller, type Sql } from "../db.ts";
import { requireUserOrService, type Caller } from "../auth.ts";
import { AppError, isAppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { NeonGateway } from "../neon/index.ts";
import { getTenantConnectionForTenant } from "../registry/credentials.ts";
import { requestTenantHealthCheck, type HealthResultStatus } from "../registry/health.ts";
import { tenantSchema } from "../tenant-schema/index.ts";
import type { AlertSender } from "./alerts.ts";
import { classify, type ControlPlaneFacts, type SqlProbeFacts } from "./classify.ts";
import type { HealthConfig } from "./config.ts";
import { readControlPlaneOne } from "./control-plane.ts";
import type { SqlProbe } from "./sql-probe.ts";
import { recordAlertDelivery, recordHealthResult, tenantById, type SweepTenant } from "./store.ts";

export const HEALTH_ENTRY_POINT = "check-tenant-health";

export interface HealthDeps {
  /** Registry client. */
  sql: Sql;
  neon: NeonGateway;
  probe: SqlProbe;
  config: HealthConfig;
  logger: Logger;
  /** Posts alert events; null/undefined when no webhook is configured. */
  sendAlert?: AlertSender | null;
  now?: () => number;
  /** @default tenantSchema.latestVersion */
  latestSchemaVersion?: string;
  /** Connection strings by tenant and credentials version, so a sweep does not decrypt (and audit) every tenant every time. */
  connectionCache?: Map<string, { url: string; expiresAt: number }>;
}

export type HealthSource = "scheduled" | "requested" | "provisioning";

export interface TenantHealthResult {
  tenantId: string;
  organizationId: string;
  status: HealthResultStatus;
  latencyMs: number | null;
  checks: Record<string, unknown>;
  errorCode: string | null;
  sqlProbed: boolean;
  checkId: string;
  alert: { id: string; kind: string; delivered: boolean | null } | null;
}

const CACHE_TTL_MS = 10 * 60_000;

async function connectionStringOf(deps: HealthDeps, tenant: SweepTenant, requestId: string | undefined): Promise<string> {
  const key = `${tenant.tenantId}:${tenant.credentialsVersion}`;
  const now = (deps.now ?? Date.now)();
  const cached = deps.connectionCache?.get(key);
  if (cached && cached.expiresAt > now) return cached.url;
  const audit = { entryPoint: HEALTH_ENTRY_POINT, requestId: requestId ?? null };
  // The least-privileged role suffices (it may read the schema ledger). Every provisioned tenant has
  // one; a missing one surfaces as CREDENTIALS_NOT_FOUND rather than being hidden behind the owner's.
  const url = await asService(deps.sql, (tx) => getTenantConnectionForTenant(tx, { tenantId: tenant.tenantId, kind: "app_direct" }, audit));
  deps.connectionCache?.set(key, { url, expiresAt: now + CACHE_TTL_MS });
  return url;
}

/**
 * Checks one tenant given what the control plane said. Returns null when nothing can be said
 * (the Neon API failed and no probe was forced): no result is stored then, so an API outage
 * does not flip every tenant to unhealthy.
 */
export async function evaluateTenant(
  deps: HealthDeps,
  tenant: SweepTenant,
  facts: ControlPlaneFacts,
  options: { source: HealthSource; force?: boolean; requestId?: string },
): Promise<TenantHealthResult | null> {
  const now = deps.now ?? Date.now;
  if (facts.state === "unknown" && !options.force) return null;
  const recentProbe = tenant.lastSqlProbeAt !== null && tenant.lastSqlProbeStatus !== null
    && now() - tenant.lastSqlProbeAt.getTime() < deps.config.sqlProbeIntervalSeconds * 1000;
  const wantsProbe = options.force === true || (facts.state === "active" && !recentProbe);

  let sqlFacts: SqlProbeFacts | null = null;
  let status: HealthResultStatus;
  let errorCode: string | null;
  let reasons: string[];
  const checks: Record<string, unknown> = {
    control_plane: { state: facts.state, last_active_at: facts.lastActiveAt ?? null, storage_bytes: facts.storageBytes ?? null, ...(facts.error ? { error: facts.error } : {}) },
  };

  if (wantsProbe && facts.state !== "missing") {
    try {
      const url = await connectionStringOf(deps, tenant, options.requestId);
      sqlFacts = await deps.probe(url, { timeoutMs: deps.config.probeTimeoutMs });
    } catch (error) {
      sqlFacts = { ok: false, errorCode: isAppError(error) ? `CREDENTIALS_${error.code}` : "CREDENTIALS_UNAVAILABLE", errorMessage: "The tenant's connection string could not be read." };
    }
  }

  if (!sqlFacts && facts.state === "active" && recentProbe) {
    // Running, probed successfully a moment ago: reuse that verdict instead of keeping the compute awake.
    status = tenant.lastSqlProbeStatus!;
    errorCode = null;
    reasons = ["recent_probe_reused"];
    checks.sql = { reused: true, probed_at: tenant.lastSqlProbeAt!.toISOString() };
  } else {
    const verdict = classify({ controlPlane: facts, sql: sqlFacts, latestSchemaVersion: deps.latestSchemaVersion ?? tenantSchema.latestVersion, thresholds: deps.config.thresholds });
    status = verdict.status;
    errorCode = verdict.errorCode;
    reasons = verdict.reasons;
    if (sqlFacts) {
      checks.sql = sqlFacts.ok
        ? { ok: true, latency_ms: sqlFacts.latencyMs, database_bytes: sqlFacts.databaseBytes, connections_used: sqlFacts.connectionsUsed,
            connections_allowed: sqlFacts.connectionsAllowed, schema_version: sqlFacts.schemaVersion, latest_schema_version: deps.latestSchemaVersion ?? tenantSchema.latestVersion }
        : { ok: false, error_code: sqlFacts.errorCode };
    }
  }
  checks.reasons = reasons;

  const latencyMs = sqlFacts?.ok ? sqlFacts.latencyMs ?? null : null;
  const errorMessage = sqlFacts && !sqlFacts.ok ? sqlFacts.errorMessage ?? null : facts.state === "missing" ? facts.error ?? null : null;
  const stored = await asService(deps.sql, (tx) => recordHealthResult(tx, {
    tenantId: tenant.tenantId, status, latencyMs, checks, errorCode, errorMessage, source: options.source,
    sqlProbed: sqlFacts !== null, webhookConfigured: Boolean(deps.sendAlert),
  }));

  let alert: TenantHealthResult["alert"] = null;
  if (stored.alertId && stored.alertKind) {
    alert = { id: stored.alertId, kind: stored.alertKind, delivered: null };
    deps.logger.warn("tenant health alert", { tenantId: tenant.tenantId, organizationId: tenant.organizationId, kind: stored.alertKind, status, errorCode });
    if (deps.sendAlert) {
      const delivery = await deps.sendAlert({
        alertId: stored.alertId, kind: stored.alertKind, tenantId: tenant.tenantId, organizationId: tenant.organizationId,
        status, errorCode, checkedAt: new Date(now()).toISOString(),
      });
      alert.delivered = delivery.delivered;
      await asService(deps.sql, (tx) => recordAlertDelivery(tx, stored.alertId!, delivery))
        .catch((error: unknown) => deps.logger.error("could not record alert delivery", { alertId: stored.alertId, error }));
    }
  }
  return { tenantId: tenant.tenantId, organizationId: tenant.organizationId, status, latencyMs, checks, errorCode, sqlProbed: sqlFacts !== null, checkId: stored.checkId, alert };
}

/**
 * The single-tenant check, as the service (provisioning engine's `first_health_check`, the
 * sweep's `tenantId` mode). `force: true` runs the SQL probe even on an idle compute (waking it).
 * NOT_FOUND for an unknown or deleted tenant; UPSTREAM_UNAVAILABLE when Neon's API failed and the
 * probe was not forced.
 */
export async function checkTenantHealthById(deps: HealthDeps, input: { tenantId: string; source?: HealthSource; force?: boolean; requestId?: string }): Promise<TenantHealthResult> {
  const tenant = await asService(deps.sql, (tx) => tenantById(tx, input.tenantId));
  if (!tenant) throw new AppError("NOT_FOUND", "No such tenant database (or it is deleted).");
  const facts = await readControlPlaneOne(deps.neon, tenant);
  const result = await evaluateTenant(deps, tenant, facts, { source: input.source ?? "requested", force: input.force, requestId: input.requestId });
  if (!result) throw new AppError("UPSTREAM_UNAVAILABLE", "Neon's API did not answer; the health check was not recorded. Try again shortly.", { retryAfterSeconds: 30 });
  return result;
}

/**
 * The provisioning engine's `first_health_check`: the engine has just used the compute, so it is
 * known to be active and the control-plane call is skipped (it would cost a Neon API call per
 * tenant for nothing). Runs the SQL probe and records the result like any other check.
 */
export async function checkNewTenantHealth(deps: HealthDeps, input: { tenantId: string; requestId?: string }): Promise<TenantHealthResult> {
  const tenant = await asService(deps.sql, (tx) => tenantById(tx, input.tenantId));
  if (!tenant) throw new AppError("NOT_FOUND", "No such tenant database (or it is deleted).");
  const result = await evaluateTenant(deps, tenant, { state: "active" }, { source: "provisioning", force: true, requestId: input.requestId });
  return result!; // never null: the probe is forced
}

/**
 * On demand for an organization: owners/admins (checked by the registry as the caller, and
 * audited as `tenant.health_check_requested`) or the service role. Used by the function and by
 * GraphQL `checkTenantHealth`.
 */
export async function checkTenantHealthForOrganization(deps: HealthDeps, caller: Caller, input: { organizationId: string; force?: boolean; requestId?: string }): Promise<TenantHealthResult> {
  requireUserOrService(caller, "Sign in first: a health check needs your access token.");
  // The registry locks the organization's live tenant (NOT_FOUND without one) and returns its id.
  const { tenantId } = await withCaller(deps.sql, caller, (tx) => requestTenantHealthCheck(tx, input.organizationId, { entryPoint: HEALTH_ENTRY_POINT, requestId: input.requestId ?? null }));
  return await checkTenantHealthById(deps, { tenantId, source: "requested", force: input.force, requestId: input.requestId });
}
