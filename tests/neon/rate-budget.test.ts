/** The process-wide Neon request budget: rolling windows per route and per account, 429 pauses. Fake time. */
import { describe, it, expect } from "vitest";
import { createRateBudget, CLIENT_RATE_LIMITS, NEON_RATE_LIMITS, processRateBudget } from "../../supabase/functions/_shared/neon/index.ts";
import { fakeTime } from "./fake-time.ts";

describe("Neon rate budget", () => {
  it("admits 40 requests per second on one route, spaced 25 ms apart rather than in one burst", async () => {
    const time = fakeTime();
    const budget = createRateBudget(NEON_RATE_LIMITS, time);
    const start = time.clock();
    expect(await budget.acquire("POST /projects")).toBe(0);
    for (let i = 1; i < 40; i++) expect(await budget.acquire("POST /projects")).toBe(25);
    expect(time.clock() - start).toBe(975); // 40 sends inside one second
    // The 41st waits for the first send to leave the window, not just for the spacing.
    expect(await budget.acquire("POST /projects")).toBe(25);
    expect(time.clock() - start).toBe(1_000);
  });

  it("does not hold other routes back when one route is saturated", async () => {
    const time = fakeTime();
    const budget = createRateBudget(NEON_RATE_LIMITS, time);
    for (let i = 0; i < 40; i++) await budget.acquire("POST /projects");
    expect(await budget.acquire("GET /projects/{project_id}")).toBe(0);
  });

  it("admits at most 700 requests in any rolling minute across all routes", async () => {
    const time = fakeTime();
    const budget = createRateBudget(NEON_RATE_LIMITS, time);
    for (let i = 0; i < 700; i++) {
      expect(await budget.acquire(`route-${i % 20}`)).toBe(0);
      time.advance(10); // 7 s in all: well inside one minute
    }
    // The 701st must wait until the first send leaves the window (60 s after it).
    expect(await budget.acquire("route-0")).toBe(60_000 - 7_000);
  });

  it("serves concurrent waiters on a route in arrival order", async () => {
    const time = fakeTime();
    const budget = createRateBudget({ perMinute: 700, perSecondPerRoute: 2 }, time);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => budget.acquire("r").then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(time.clock() - 1_700_000_000_000).toBe(2_500); // 6 sends at 2/s, 500 ms apart
  });

  it("pauses every route after a 429 until the given time", async () => {
    const time = fakeTime();
    const budget = createRateBudget(NEON_RATE_LIMITS, time);
    budget.pauseUntil(time.clock() + 5_000);
    expect(await budget.acquire("any")).toBe(5_000);
    expect(await budget.acquire("other")).toBe(0);
  });

  it("is one budget per process; asking for other limits is a wiring mistake", () => {
    expect(processRateBudget()).toBe(processRateBudget(CLIENT_RATE_LIMITS));
    expect(() => processRateBudget({ perMinute: 10, perSecondPerRoute: 1 })).toThrow(/already exists/);
  });
});
