/**
 * One provisioning run of one tenant: claim the lease (worker id) → for each step from the first
 * that has not succeeded: record running → execute → record succeeded, renewing the lease in the
 * background. Retryable failures are tried again with backoff up to `maxAttempts` per step; then
 * the tenant goes to `failed` with the step's stable code and a message saying what to do.
 * A crash (the process dies) leaves the lease to expire; the next run takes over and every step
 * finds what already exists.
 */
import { asService } from "../db.ts";
import { equalJitterBackoff } from "../backoff.ts";
import { PROVISIONING_STEPS, type ProvisioningStep, type TenantStatus } from "../registry/types.ts";
import { claimTenantForProvisioning, recordProvisioningStep, transitionTenantStatus } from "../registry/tenants.ts";
import { classifyFailure, type FailureCode } from "./failures.ts";
import { loadTenant, newTiming, stepContext } from "./context.ts";
import { STEP_FUNCTIONS } from "./steps/index.ts";
import { deprovisionClaimed } from "./deprovision.ts";
import type { ResolvedDeps, RunMemory, WorkStep } from "./types.ts";

export interface RunResult {
  tenantId: string;
  /** False when another worker holds a live lease (or there was nothing to do). */
  claimed: boolean;
  status: TenantStatus;
  failure?: { step: ProvisioningStep; code: FailureCode; message: string };
  metrics: { totalMs: number; neonMs: number; tenantSqlMs: number; neonCalls: number };
}

function backoff(deps: ResolvedDeps, tries: number, retryAfterMs = 0): number {
  return Math.max(retryAfterMs, equalJitterBackoff(deps.baseBackoffMs, deps.maxBackoffMs, tries, deps.random));
}

/** Renews the lease every third of its length until stopped; flags a lost lease. */
function startHeartbeat(deps: ResolvedDeps, tenantId: string, workerId: string): { stop(): void; lost(): boolean } {
  let stopped = false;
  let lost = false;
  void (async () => {
    while (!stopped) {
      await deps.sleep((deps.leaseSeconds * 1000) / 3);
      if (stopped) break;
      try {
        const claim = await asService(deps.sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId, leaseSeconds: deps.leaseSeconds }));
        if (!claim.claimed || claim.leaseOwner !== workerId) lost = !["active", "failed"].includes(claim.status);
        if (!claim.claimed) break;
      } catch (error) {
        deps.logger.warn("lease renewal failed", { tenantId, workerId, error });
      }
    }
  })();
  return { stop: () => void (stopped = true), lost: () => lost };
}

export async function runTenant(deps: ResolvedDeps, tenantId: string, workerId: string): Promise<RunResult> {
  const started = deps.now();
  const timing = newTiming();
  const memory: RunMemory = {};
  const log = deps.logger.child({ tenantId, workerId });
  const result = (status: TenantStatus, claimed: boolean, failure?: RunResult["failure"]): RunResult => ({
    tenantId, claimed, status, ...(failure ? { failure } : {}),
    metrics: { totalMs: deps.now() - started, ...timing, neonCalls: deps.gateway.countsFor(tenantId).requests },
  });
  const service = <T>(fn: Parameters<typeof asService<T>>[1]) => asService(deps.sql, fn);

  const claim = await service((tx) => claimTenantForProvisioning(tx, { tenantId, workerId, leaseSeconds: deps.leaseSeconds }));
  if (!claim.claimed) return result(claim.status, false);
  if (claim.takenOver) log.info("took over an expired lease", { previous: claim.leaseOwner });
  if (claim.status === "deprovisioning") {
    await deprovisionClaimed(deps, tenantId, workerId, timing);
    return result("deleted", true);
  }

  const heartbeat = startHeartbeat(deps, tenantId, workerId);
  const record = (step: ProvisioningStep, state: "running" | "succeeded" | "failed", extra: { errorCode?: string; errorMessage?: string; details?: Record<string, unknown> } = {}) =>
    service((tx) => recordProvisioningStep(tx, { tenantId, step, state, workerId, ...extra }));
  try {
    for (const step of PROVISIONING_STEPS) {
      if (step === "claim") continue;
      let tenant = await loadTenant(deps, tenantId);
      if (!tenant || tenant.status !== "provisioning") return result(tenant?.status ?? "deleted", true);
      const state = tenant.provisioning_status[step]?.state;
      if (state === "succeeded" || state === "skipped") continue;
      if (step === "activate") {
        await service((tx) => transitionTenantStatus(tx, { tenantId, from: "provisioning", to: "active", workerId, reason: "every provisioning step succeeded" }));
        log.info("tenant active", { totalMs: deps.now() - started });
        return result("active", true);
      }
      for (let tries = 1; ; tries++) {
        if (heartbeat.lost()) return result("provisioning", true);
        const entry = await record(step, "running");
        try {
          const details = await STEP_FUNCTIONS[step as WorkStep](stepContext(deps, tenant, workerId, entry.attempts, memory, timing));
          await record(step, "succeeded", { details: details ?? {} });
          if (deps.pauseAfterStepMs > 0) await deps.sleep(deps.pauseAfterStepMs);
          break;
        } catch (error) {
          const failure = classifyFailure(error);
          if (failure.code === "LEASE_LOST") return result("provisioning", true);
          log.warn("provisioning step failed", { step, code: failure.code, tries, retryable: failure.retryable, error });
          await record(step, "failed", { errorCode: failure.code, errorMessage: failure.message });
          if (failure.retryable && tries < deps.maxAttempts) {
            await deps.sleep(backoff(deps, tries, failure.retryAfterMs));
            tenant = (await loadTenant(deps, tenantId)) ?? tenant;
            continue;
          }
          await service((tx) => transitionTenantStatus(tx, { tenantId, from: "provisioning", to: "failed", workerId, reason: `${failure.code} at ${step}: ${failure.message}` }));
          return result("failed", true, { step, code: failure.code, message: failure.message });
        }
      }
    }
    return result("active", true);
  } catch (error) {
    // Registry refusals mean another worker owns the tenant now; anything else is left for resume.
    const failure = classifyFailure(error);
    log.warn("provisioning run stopped", { code: failure.code, error });
    const tenant = await loadTenant(deps, tenantId).catch(() => null);
    return result(tenant?.status ?? "provisioning", true);
  } finally {
    heartbeat.stop();
  }
}
