/**
 * Alert delivery: the alert event itself is written by `record_health_result` in the same
 * transaction as the result (so it exists exactly once per transition); here it is posted to the
 * configured webhook with retries and backoff. Delivery failures never fail the check.
 */
import { sleep as defaultSleep } from "../backoff.ts";

export interface AlertPayload {
  alertId: string;
  kind: "degraded" | "unhealthy" | "recovered";
  tenantId: string;
  organizationId: string;
  status: string;
  errorCode: string | null;
  checkedAt: string;
}

export interface AlertDelivery {
  delivered: boolean;
  attempts: number;
  error: string | null;
}

export interface AlertSender {
  (payload: AlertPayload): Promise<AlertDelivery>;
}

export function createWebhookSender(options: { url: string; retries: number; fetch?: typeof fetch; sleep?: (ms: number) => Promise<void>; timeoutMs?: number; baseDelayMs?: number }): AlertSender {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const base = options.baseDelayMs ?? 200;
  return async (payload) => {
    let lastError = "";
    const maxAttempts = options.retries + 1;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        const response = await doFetch(options.url, {
          method: "POST",
          // The alert id doubles as an idempotency key, so a receiver can drop repeats of a retried post.
          headers: { "Content-Type": "application/json", "Idempotency-Key": `tenant-health-alert-${payload.alertId}` },
          body: JSON.stringify({ type: "tenant.health", ...payload }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
        await response.body?.cancel();
        if (response.ok) return { delivered: true, attempts: attempt, error: null };
        lastError = `HTTP ${response.status}`;
        // 4xx other than 408/429 will not get better by repeating.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) return { delivered: false, attempts: attempt, error: lastError };
      } catch (error) {
        lastError = (error as Error)?.name === "TimeoutError" ? "timeout" : "network error";
      }
      if (attempt < maxAttempts) await sleep(base * 2 ** (attempt - 1));
    }
    return { delivered: false, attempts: maxAttempts, error: lastError };
  };
}
