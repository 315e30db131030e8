/**
 * Per-tenant counters of Neon API traffic and an `onCall` hook. One event per HTTP attempt, so a
 * call retried after two 423s shows up as three events (two `locked`, one `ok`). Benchmarks and
 * the provisioning engine read these to report API cost per tenant; nothing here holds secrets
 * (no URLs with credentials, no bodies, no headers).
 */
import type { NeonFailureKind } from "./errors.ts";

/** `ok`, or why the attempt failed (errors.ts). */
export type NeonCallOutcome = "ok" | NeonFailureKind;

export interface NeonCallEvent {
  tenantKey: string;
  /** Route template, e.g. `POST /projects/{project_id}/branches`. */
  route: string;
  /** 1 for the first attempt of a call. */
  attempt: number;
  status: number | null;
  outcome: NeonCallOutcome;
  durationMs: number;
  /** Time spent waiting for the client-side rate budget before this attempt. */
  throttledMs: number;
  /** Another attempt follows after `retryInMs`. */
  willRetry: boolean;
  retryInMs?: number;
  /** The call ends with an error for its caller after this attempt (no retry, not handled). */
  failed: boolean;
  requestId: string;
}

export interface NeonCallCounts {
  /** HTTP attempts sent. */
  requests: number;
  /** Attempts that were retries of an earlier one. */
  retries: number;
  locked: number;
  rateLimited: number;
  /** 5xx answers, 503 included. */
  serverErrors: number;
  timeouts: number;
  networkErrors: number;
  /** Calls that ended in an error for the caller (after retries). */
  failures: number;
  throttledMs: number;
}

export type NeonCallListener = (event: NeonCallEvent) => void;

export interface CallStats {
  record(event: NeonCallEvent): void;
  countsFor(tenantKey: string): NeonCallCounts;
  /** Every tenant key seen so far with its counts (for benchmark summaries). */
  allCounts(): Map<string, NeonCallCounts>;
  onCall(listener: NeonCallListener): () => void;
}

const emptyCounts = (): NeonCallCounts => ({
  requests: 0, retries: 0, locked: 0, rateLimited: 0, serverErrors: 0, timeouts: 0, networkErrors: 0, failures: 0, throttledMs: 0,
});

export function createCallStats(): CallStats {
  const counts = new Map<string, NeonCallCounts>();
  const listeners = new Set<NeonCallListener>();
  return {
    record(event) {
      let c = counts.get(event.tenantKey);
      if (!c) counts.set(event.tenantKey, (c = emptyCounts()));
      c.requests++;
      if (event.attempt > 1) c.retries++;
      if (event.outcome === "locked") c.locked++;
      if (event.outcome === "rate_limited") c.rateLimited++;
      if (event.status !== null && event.status >= 500) c.serverErrors++;
      if (event.outcome === "timeout") c.timeouts++;
      if (event.outcome === "network") c.networkErrors++;
      if (event.failed) c.failures++;
      c.throttledMs += event.throttledMs;
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // A broken metrics listener must not fail tenant work.
        }
      }
    },
    countsFor: (tenantKey) => ({ ...(counts.get(tenantKey) ?? emptyCounts()) }),
    allCounts: () => new Map([...counts].map(([key, value]) => [key, { ...value }])),
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
