/** The in-memory token bucket used by decrypt-connection-string. */
import { describe, it, expect } from "vitest";
import { createTokenBucketRateLimiter } from "../../supabase/functions/_shared/rate-limit.ts";

describe("token bucket rate limiter", () => {
  it("allows a burst of `capacity`, then refuses with a retry-after, and refills over time", () => {
    let now = 0;
    const limiter = createTokenBucketRateLimiter({ capacity: 3, refillPerSecond: 0.5, now: () => now });
    expect([1, 2, 3].map(() => limiter.take("u1").allowed)).toEqual([true, true, true]);
    expect(limiter.take("u1")).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 2 });
    expect(limiter.take("u2").allowed).toBe(true); // buckets are per key
    now += 1_000;
    expect(limiter.take("u1")).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(limiter.take("u1")).toMatchObject({ allowed: true, remaining: 0 });
    now += 60_000;
    expect(limiter.take("u1")).toMatchObject({ allowed: true, remaining: 2 }); // never above capacity
  });

  it("forgets the least recently used keys beyond maxKeys (a forgotten key starts full)", () => {
    const limiter = createTokenBucketRateLimiter({ capacity: 1, refillPerSecond: 0.001, now: () => 0, maxKeys: 2 });
    limiter.take("a");
    limiter.take("b");
    limiter.take("c"); // evicts "a"
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("c").allowed).toBe(false);
  });

  it("rejects nonsensical settings", () => {
    expect(() => createTokenBucketRateLimiter({ capacity: 0, refillPerSecond: 1 })).toThrow();
  });
});
