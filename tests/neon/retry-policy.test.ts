/** When the Neon gateway retries (pure policy), and how Neon settings are read from the environment. */
import { describe, it, expect } from "vitest";
import { z } from "zod";
import { DEFAULT_RETRY_POLICY as policy } from "../../supabase/functions/_shared/neon/index.ts";
import { decideRetry, parseRetryAfter, type RetryContext } from "../../supabase/functions/_shared/neon/retry-policy.ts";
import { neonEnvShape, neonGatewayOptions } from "../../supabase/functions/_shared/neon/config.ts";
import { parseConfig } from "../../supabase/functions/_shared/config.ts";

const ctx = (over: Partial<RetryContext>): RetryContext => ({ kind: "locked", retrySafe: false, attempt: 1, ambiguousRetries: 0, elapsedMs: 0, policy, random: () => 0, ...over });

describe("retry policy", () => {
  it("retries refusals (423, 429, 503) for any method, ambiguous failures only when the call is retry-safe", () => {
    for (const kind of ["locked", "rate_limited", "unavailable"] as const) expect(decideRetry(ctx({ kind })).retry).toBe(true);
    for (const kind of ["server_error", "timeout", "network"] as const) {
      expect(decideRetry(ctx({ kind })).retry).toBe(false);
      expect(decideRetry(ctx({ kind, retrySafe: true })).retry).toBe(true);
      expect(decideRetry(ctx({ kind, retrySafe: true, ambiguousRetries: policy.maxAmbiguousRetries })).retry).toBe(false);
    }
    for (const kind of ["not_found", "conflict", "client_error"] as const) expect(decideRetry(ctx({ kind, retrySafe: true })).retry).toBe(false);
  });

  it("is bounded by attempts and by elapsed time", () => {
    expect(decideRetry(ctx({ attempt: policy.maxAttempts })).retry).toBe(false);
    expect(decideRetry(ctx({ elapsedMs: policy.maxElapsedMs - 10 })).retry).toBe(false);
  });

  it("caps exponential backoff at maxDelayMs and keeps at least half of each step", () => {
    expect(decideRetry(ctx({ attempt: 7, random: () => 0 }))).toEqual({ retry: true, delayMs: 2_500 });
    expect(decideRetry(ctx({ attempt: 7, random: () => 0.999999 }))).toEqual({ retry: true, delayMs: 5_000 });
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-23T12:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7_000);
    expect(parseRetryAfter("Mon, 23 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe("Neon environment", () => {
  it("defaults the URL, timeout and rate limits; only NEON_API_KEY is required", () => {
    const config = parseConfig(z.object(neonEnvShape), { NEON_API_KEY: "k" });
    expect(neonGatewayOptions(config)).toEqual({
      apiKey: "k", baseUrl: "https://console.neon.tech/api/v2", timeoutMs: 20_000, rateLimits: { perMinute: 700, perSecondPerRoute: 36 },
    });
    const local = parseConfig(z.object(neonEnvShape), { NEON_API_KEY: "k", NEON_API_URL: "http://127.0.0.1:4444/api/v2", NEON_ORG_ID: "org-1", NEON_RATE_PER_MINUTE: "100" });
    expect(neonGatewayOptions(local)).toMatchObject({ baseUrl: "http://127.0.0.1:4444/api/v2", orgId: "org-1", rateLimits: { perMinute: 100 } });
    expect(() => parseConfig(z.object(neonEnvShape), {})).toThrow(/NEON_API_KEY is missing/);
  });
});
