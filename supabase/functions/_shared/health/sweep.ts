/**
 * A sweep step over all active tenants: the control-plane tier for the whole batch first (a few
 * API calls), then per tenant the SQL probe where warranted, at most `concurrency` at once, until
 * the time budget is spent. The step stores where it stopped; the next invocation (the cron's
 * next tick) continues there, so a sweep too large for one edge-function call is never cut off
 * half-way or restarted from the top.
 */
import { asService } from "../db.ts";
import { evaluateTenant, type HealthDeps, type TenantHealthResult } from "./check.ts";
import { readControlPlane } from "./control-plane.ts";
import { claimSweep, listActiveTenants, maintainIfDue, releaseSweep } from "./store.ts";

export interface SweepSummary {
  /** False when another invocation holds the sweep lease (nothing was done). */
  ran: boolean;
  checked: number;
  byStatus: Record<string, number>;
  sqlProbes: number;
  skipped: number;
  failed: number;
  alerts: number;
  /** Where the next invocation continues; null when this step finished the pass. */
  cursor: string | null;
  passFinished: boolean;
  elapsedMs: number;
  maintenance: Record<string, number> | null;
}

export interface SweepOptions {
  /** Lease owner name (one per invocation). */
  owner: string;
  /** Start here instead of the stored cursor (manual continuation). */
  cursor?: string | null;
  /** Tenants read per registry page. @default 1000 */
  pageSize?: number;
  requestId?: string;
  /** Only tenants of this Neon region (a regional deployment's own sweep; tests and benchmarks). */
  region?: string | null;
  /** Called per result (benchmarks, tests). */
  onResult?: (result: TenantHealthResult) => void;
}

/** Bounded-concurrency map over `items` that stops taking new items once `stop()` says so. */
async function runBounded<T>(items: readonly T[], concurrency: number, stop: () => boolean, work: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return next; // items[0..next) were all taken, and every taken item has finished
}

export async function runSweep(deps: HealthDeps, options: SweepOptions): Promise<SweepSummary> {
  const clock = deps.now ?? Date.now;
  const started = clock();
  const { budgetMs, concurrency } = deps.config;
  // Keep a reserve for in-flight probes to finish and the cursor to be saved.
  const deadline = started + Math.max(500, budgetMs - deps.config.probeTimeoutMs);
  const leaseSeconds = Math.min(900, Math.ceil(budgetMs / 1000) + 30);
  const summary: SweepSummary = { ran: false, checked: 0, byStatus: {}, sqlProbes: 0, skipped: 0, failed: 0, alerts: 0, cursor: null, passFinished: false, elapsedMs: 0, maintenance: null };

  const claim = await asService(deps.sql, (tx) => claimSweep(tx, options.owner, leaseSeconds));
  if (!claim.claimed) return { ...summary, cursor: claim.cursor, elapsedMs: clock() - started };
  summary.ran = true;
  let cursor = options.cursor !== undefined ? options.cursor : claim.cursor;
  let passFinished = false;
  try {
    for (;;) {
      const tenants = await asService(deps.sql, (tx) => listActiveTenants(tx, { afterId: cursor, limit: options.pageSize ?? 1000, region: options.region }));
      if (tenants.length === 0) {
        passFinished = true;
        break;
      }
      const facts = await readControlPlane(deps.neon, tenants, { now: clock, activeWithinSeconds: deps.config.activeWithinSeconds });
      const taken = await runBounded(tenants, concurrency, () => clock() >= deadline, async (tenant) => {
        try {
          const result = await evaluateTenant(deps, tenant, facts.get(tenant.tenantId) ?? { state: "unknown" }, { source: "scheduled", requestId: options.requestId });
          if (!result) {
            summary.skipped++;
            return;
          }
          summary.checked++;
          summary.byStatus[result.status] = (summary.byStatus[result.status] ?? 0) + 1;
          if (result.sqlProbed) summary.sqlProbes++;
          if (result.alert) summary.alerts++;
          options.onResult?.(result);
        } catch (error) {
          summary.failed++;
          deps.logger.error("health check of a tenant failed", { tenantId: tenant.tenantId, error });
        }
      });
      if (taken > 0) cursor = tenants[taken - 1]!.tenantId;
      if (taken < tenants.length) break; // out of time: the next invocation continues after `cursor`
      if (tenants.length < (options.pageSize ?? 1000)) {
        passFinished = true;
        break;
      }
      if (clock() >= deadline) break;
    }
    if (passFinished) {
      summary.maintenance = await asService(deps.sql, (tx) => maintainIfDue(tx, deps.config.rawRetentionHours))
        .catch((error: unknown) => {
          deps.logger.error("health maintenance failed", { error });
          return null;
        });
    }
  } finally {
    await asService(deps.sql, (tx) => releaseSweep(tx, options.owner, passFinished ? null : cursor, passFinished));
  }
  summary.cursor = passFinished ? null : cursor;
  summary.passFinished = passFinished;
  summary.elapsedMs = clock() - started;
  return summary;
}
