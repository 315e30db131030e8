/**
 * When to retry a Neon API call, and how long to wait. Pure: the gateway supplies the failure,
 * the attempt counters and a random source.
 *
 * Neon's spec: 423 and 503 are always safe to retry; POST/PATCH/DELETE are otherwise not. 429 is
 * a refusal before processing, so it is safe too. Other 5xx and timeouts are retried only for
 * calls the gateway marks retry-safe (GETs, and writes whose repeat is harmless by construction);
 * a non-idempotent POST gets a typed error instead so the caller reconciles by name.
 */
import { equalJitterBackoff } from "../backoff.ts";
import type { NeonFailureKind } from "./errors.ts";

export interface RetryPolicy {
  /** Total HTTP attempts per call, all failure kinds together. @default 8 */
  maxAttempts: number;
  /** Give up when the next wait would end later than this after the first attempt. @default 60000 */
  maxElapsedMs: number;
  /** First backoff step. @default 250 */
  baseDelayMs: number;
  /** Backoff ceiling (Neon's samples poll every 2–5 s). @default 5000 */
  maxDelayMs: number;
  /** Retries after ambiguous failures (non-503 5xx, timeout, network) on retry-safe calls. @default 2 */
  maxAmbiguousRetries: number;
  /** Longest `Retry-After` we honour; longer ones end the call with a RATE_LIMITED error. @default 60000 */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  maxElapsedMs: 60_000,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  maxAmbiguousRetries: 2,
  maxRetryAfterMs: 60_000,
};

/** Failures whose request certainly was not applied: safe to repeat for any method. */
const REFUSED: ReadonlySet<NeonFailureKind> = new Set(["locked", "rate_limited", "unavailable"]);
/** Failures that may or may not have been applied. */
export const AMBIGUOUS: ReadonlySet<NeonFailureKind> = new Set(["server_error", "timeout", "network"]);

/** `Retry-After` as delta-seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export interface RetryContext {
  kind: NeonFailureKind;
  retryAfterMs?: number;
  /** The call is safe to repeat after an ambiguous failure. */
  retrySafe: boolean;
  /** Attempts made so far (1 after the first failure). */
  attempt: number;
  /** Ambiguous failures retried so far. */
  ambiguousRetries: number;
  elapsedMs: number;
  policy: RetryPolicy;
  random: () => number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

export function decideRetry(ctx: RetryContext): RetryDecision {
  const { policy } = ctx;
  const refused = REFUSED.has(ctx.kind);
  const ambiguousOk = AMBIGUOUS.has(ctx.kind) && ctx.retrySafe && ctx.ambiguousRetries < policy.maxAmbiguousRetries;
  if (!refused && !ambiguousOk) return { retry: false };
  if (ctx.attempt >= policy.maxAttempts) return { retry: false };
  let delayMs = equalJitterBackoff(policy.baseDelayMs, policy.maxDelayMs, ctx.attempt, ctx.random);
  if (ctx.kind === "rate_limited" && ctx.retryAfterMs !== undefined) {
    if (ctx.retryAfterMs > policy.maxRetryAfterMs) return { retry: false };
    delayMs = ctx.retryAfterMs;
  }
  if (ctx.elapsedMs + delayMs > policy.maxElapsedMs) return { retry: false };
  return { retry: true, delayMs };
}
