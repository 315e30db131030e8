/** Plans and sizes → Neon compute settings and placement (pure). */
import { describe, it, expect } from "vitest";
import { PLANS, PLAN_POLICIES, SIZES, computeSettingsFor, computeSettingsProblems, placementFor } from "../../supabase/functions/_shared/neon/index.ts";

describe("plans", () => {
  it("every allowed plan and size satisfies Neon's compute limits, within the plan's ceiling", () => {
    const ceiling = { free: 1, starter: 2, professional: 4, enterprise: 8 };
    for (const plan of PLANS) {
      for (const size of PLAN_POLICIES[plan].sizes) {
        const settings = computeSettingsFor(plan, size);
        expect(computeSettingsProblems(settings), `${plan}/${size}`).toEqual([]);
        expect(settings.maxCu).toBeLessThanOrEqual(ceiling[plan]);
      }
      expect(PLAN_POLICIES[plan].sizes).toContain(PLAN_POLICIES[plan].defaultSize);
      expect(PLAN_POLICIES[plan].historyRetentionSeconds).toBeLessThanOrEqual(2_592_000);
    }
  });

  it("uses the plan's default size and refuses sizes above the plan", () => {
    expect(computeSettingsFor("starter")).toEqual({ minCu: 0.25, maxCu: 1, suspendTimeoutSeconds: 300 });
    expect(computeSettingsFor("free", "s")).toEqual({ minCu: 0.25, maxCu: 1, suspendTimeoutSeconds: 0 });
    expect(() => computeSettingsFor("free", "xl")).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED", details: { field: "size", allowed: ["xs", "s"] } }));
    expect(SIZES.filter((size) => PLAN_POLICIES.enterprise.sizes.includes(size))).toEqual([...SIZES]);
  });

  it("places every plan in its own project by default; branch placement is an opt-in for free only", () => {
    for (const plan of PLANS) expect(placementFor(plan)).toBe("project");
    expect(placementFor("free", "branch")).toBe("branch");
    expect(() => placementFor("professional", "branch")).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED", details: { field: "strategy", allowed: ["project"] } }));
  });

  it("names every problem of invalid compute settings", () => {
    expect(computeSettingsProblems({ minCu: 0.1, maxCu: 9, suspendTimeoutSeconds: 30 })).toEqual([
      "minCu must be at least 0.25",
      "the autoscaling range (maxCu - minCu) must be at most 8 CU",
      "suspendTimeoutSeconds must be -1, 0 or 60..604800",
    ]);
    expect(computeSettingsProblems({ minCu: 1, maxCu: 0.5, suspendTimeoutSeconds: -1 })).toEqual(["maxCu must be at least minCu"]);
  });
});
