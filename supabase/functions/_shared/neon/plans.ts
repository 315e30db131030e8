/**
 * Plans and sizes → Neon compute settings and placement. Pure data and functions.
 *
 * Sizes are autoscaling ranges: the floor is what an awake tenant always has, the ceiling what a
 * busy one may burst to. Neon's rules (neon-api.md §1.11): CU ≥ 0.25, range max−min ≤ 8 CU,
 * `suspend_timeout_seconds` in −1..604800 (0 = Neon's default of 300 s, −1 = never suspend).
 * Plans cap the size and set how quickly an idle tenant scales to zero (idle tenants then cost
 * storage only) and how far back point-in-time restore reaches.
 *
 * Placement: one Neon **project** per tenant for every plan, as Neon recommends. A project gets
 * its own 423 lock (parallel provisioning does not serialise), its own compute outside the
 * 20-active-computes-per-project limit, its own region, credentials, quota and PITR. Branch per
 * tenant (children of a schema-template branch in a shared project) saves project quota and shares
 * storage, but all tenants then queue on one operation lock, share one region and history window,
 * inherit the template's role passwords until each is reset, get archived (slow first query) past
 * 100 unarchived branches, and a template with children cannot be deleted. We therefore keep
 * `branch` as an explicit opt-in for the free plan only, for when the account's project quota is
 * the binding constraint; nothing chooses it by default.
 */
import { validationError } from "../errors.ts";
import type { ComputeSettings } from "./gateway.ts";
import { TENANT_PLANS, COMPUTE_SIZES, type TenantPlan, type ComputeSize, type TenantStrategy } from "../registry/types.ts";

/** The registry's vocabulary (its CHECK constraints) is the one source of plan and size names. */
export const PLANS = TENANT_PLANS;
export type Plan = TenantPlan;

export const SIZES = COMPUTE_SIZES;
export type Size = ComputeSize;

export type PlacementStrategy = TenantStrategy;

/** Autoscaling range per size, in CU (1 CU ≈ 4 GB RAM). */
export const SIZE_RANGES: Readonly<Record<Size, { minCu: number; maxCu: number }>> = {
  xs: { minCu: 0.25, maxCu: 0.5 },
  s: { minCu: 0.25, maxCu: 1 },
  m: { minCu: 0.5, maxCu: 2 },
  l: { minCu: 1, maxCu: 4 },
  xl: { minCu: 2, maxCu: 8 },
};

export interface PlanPolicy {
  /** Sizes a tenant on this plan may choose. */
  sizes: readonly Size[];
  defaultSize: Size;
  /** Idle seconds before scale to zero (0 = Neon's default, 300 s). */
  suspendTimeoutSeconds: number;
  /** Point-in-time-restore window. */
  historyRetentionSeconds: number;
  defaultStrategy: PlacementStrategy;
  allowedStrategies: readonly PlacementStrategy[];
}

const HOUR = 3_600;
const DAY = 24 * HOUR;

export const PLAN_POLICIES: Readonly<Record<Plan, PlanPolicy>> = {
  // Scale to zero at Neon's default: accounts on Neon's own Free plan refuse any explicit value
  // ("suspend interval changing is not allowed"), and 0 is valid everywhere.
  free: { sizes: ["xs", "s"], defaultSize: "xs", suspendTimeoutSeconds: 0, historyRetentionSeconds: 6 * HOUR, defaultStrategy: "project", allowedStrategies: ["project", "branch"] },
  starter: { sizes: ["xs", "s", "m"], defaultSize: "s", suspendTimeoutSeconds: 300, historyRetentionSeconds: DAY, defaultStrategy: "project", allowedStrategies: ["project"] },
  // Longer idle windows: fewer cold starts (a few hundred ms to seconds) for paying stores.
  professional: { sizes: ["xs", "s", "m", "l"], defaultSize: "m", suspendTimeoutSeconds: 900, historyRetentionSeconds: 7 * DAY, defaultStrategy: "project", allowedStrategies: ["project"] },
  enterprise: { sizes: ["xs", "s", "m", "l", "xl"], defaultSize: "l", suspendTimeoutSeconds: HOUR, historyRetentionSeconds: 30 * DAY, defaultStrategy: "project", allowedStrategies: ["project"] },
};

export function isPlan(value: string): value is Plan {
  return (PLANS as readonly string[]).includes(value);
}

export function isSize(value: string): value is Size {
  return (SIZES as readonly string[]).includes(value);
}

/** The plan's default size when `size` is omitted; VALIDATION_FAILED (field `size`) when not allowed. */
export function computeSettingsFor(plan: Plan, size?: Size): ComputeSettings {
  const policy = PLAN_POLICIES[plan];
  const chosen = size ?? policy.defaultSize;
  if (!policy.sizes.includes(chosen)) {
    throw validationError("size", `Size '${chosen}' is not available on the ${plan} plan. Choose one of: ${policy.sizes.join(", ")}.`, { allowed: policy.sizes });
  }
  return { ...SIZE_RANGES[chosen], suspendTimeoutSeconds: policy.suspendTimeoutSeconds };
}

/** The plan's default strategy when none is requested; VALIDATION_FAILED (field `strategy`) when not allowed. */
export function placementFor(plan: Plan, requested?: PlacementStrategy): PlacementStrategy {
  const policy = PLAN_POLICIES[plan];
  const chosen = requested ?? policy.defaultStrategy;
  if (!policy.allowedStrategies.includes(chosen)) {
    throw validationError("strategy", `Placement '${chosen}' is not available on the ${plan} plan. Choose one of: ${policy.allowedStrategies.join(", ")}.`, { allowed: policy.allowedStrategies });
  }
  return chosen;
}

/** Neon's limits on compute settings; returns the problems (empty when valid). */
export function computeSettingsProblems(settings: ComputeSettings): string[] {
  const problems: string[] = [];
  if (!(settings.minCu >= 0.25)) problems.push("minCu must be at least 0.25");
  if (!(settings.maxCu >= settings.minCu)) problems.push("maxCu must be at least minCu");
  if (settings.maxCu - settings.minCu > 8) problems.push("the autoscaling range (maxCu - minCu) must be at most 8 CU");
  const s = settings.suspendTimeoutSeconds;
  if (!Number.isInteger(s) || s < -1 || s > 604_800 || (s > 0 && s < 60)) problems.push("suspendTimeoutSeconds must be -1, 0 or 60..604800");
  return problems;
}
