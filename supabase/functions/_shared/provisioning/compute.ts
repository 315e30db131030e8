/** The tenant row's plan and size → Neon compute settings and history window (neon/plans.ts). */
import { PLAN_POLICIES, SIZE_RANGES, type ComputeSettings } from "../neon/index.ts";
import type { ComputeSize, TenantPlan } from "../registry/types.ts";

/**
 * Settings for a stored request. Requests were validated against the plan when they came in
 * (computeSettingsFor); a service-role request may still pair any size with any plan, so the
 * engine takes the size's range as asked rather than failing a tenant that is already queued.
 */
export function computeFor(plan: TenantPlan, size: ComputeSize): { compute: ComputeSettings; historyRetentionSeconds: number } {
  const policy = PLAN_POLICIES[plan];
  return { compute: { ...SIZE_RANGES[size], suspendTimeoutSeconds: policy.suspendTimeoutSeconds }, historyRetentionSeconds: policy.historyRetentionSeconds };
}
