/**
 * Health checker settings: classification thresholds and sweep limits, parsed from the
 * environment at the entrypoint (`healthEnvShape`) and passed down as `HealthConfig`.
 */
import { z } from "zod";
import { env } from "../config.ts";
import { AppError } from "../errors.ts";

export interface HealthThresholds {
  /** Round trip of `select 1` above this: degraded. */
  degradedLatencyMs: number;
  /** Above this (or no answer within the probe timeout): unhealthy. */
  unhealthyLatencyMs: number;
  /** Connections in use / allowed above this ratio: degraded. */
  degradedConnectionRatio: number;
  /** Storage above this many bytes: degraded (0 = no limit). */
  degradedStorageBytes: number;
}

export interface HealthConfig {
  thresholds: HealthThresholds;
  /** Probes (SQL and result writes) in flight at once; ≤ 20 keeps within Neon's active-compute and our pool limits. */
  concurrency: number;
  /** Wall time one sweep invocation may spend before handing over to the next call. */
  budgetMs: number;
  /** Per SQL probe. */
  probeTimeoutMs: number;
  /**
   * A compute counts as running when its project was active this recently (and within its
   * suspend timeout): Neon reports `compute_last_active_at` ≈ now while a compute is active.
   */
  activeWithinSeconds: number;
  /**
   * A successful SQL probe is reused for this long instead of probing again: our own probe is
   * activity, and probing more often than the suspend timeout would keep computes awake forever.
   */
  sqlProbeIntervalSeconds: number;
  alertWebhookUrl: string | null;
  alertRetries: number;
  /** Raw checks older than this are rolled up and deleted by maintenance. */
  rawRetentionHours: number;
}

export const DEFAULT_HEALTH_CONFIG: HealthConfig = {
  thresholds: { degradedLatencyMs: 250, unhealthyLatencyMs: 5_000, degradedConnectionRatio: 0.8, degradedStorageBytes: 0 },
  concurrency: 16,
  budgetMs: 20_000,
  probeTimeoutMs: 5_000,
  activeWithinSeconds: 60,
  sqlProbeIntervalSeconds: 360,
  alertWebhookUrl: null,
  alertRetries: 3,
  rawRetentionHours: 168,
};

/** Spread into an entrypoint's zod object; every key is optional. */
export const healthEnvShape = {
  HEALTH_DEGRADED_LATENCY_MS: env.int(DEFAULT_HEALTH_CONFIG.thresholds.degradedLatencyMs).pipe(z.number().min(1)),
  HEALTH_UNHEALTHY_LATENCY_MS: env.int(DEFAULT_HEALTH_CONFIG.thresholds.unhealthyLatencyMs).pipe(z.number().min(1)),
  HEALTH_DEGRADED_CONNECTION_RATIO: z.coerce.number().min(0).max(1).default(DEFAULT_HEALTH_CONFIG.thresholds.degradedConnectionRatio),
  HEALTH_DEGRADED_STORAGE_BYTES: env.int(0).pipe(z.number().min(0)),
  HEALTH_SWEEP_CONCURRENCY: env.int(DEFAULT_HEALTH_CONFIG.concurrency).pipe(z.number().min(1).max(20)),
  HEALTH_SWEEP_BUDGET_MS: env.int(DEFAULT_HEALTH_CONFIG.budgetMs).pipe(z.number().min(1_000).max(120_000)),
  HEALTH_PROBE_TIMEOUT_MS: env.int(DEFAULT_HEALTH_CONFIG.probeTimeoutMs).pipe(z.number().min(100).max(30_000)),
  HEALTH_ACTIVE_WITHIN_SECONDS: env.int(DEFAULT_HEALTH_CONFIG.activeWithinSeconds).pipe(z.number().min(1)),
  HEALTH_SQL_PROBE_INTERVAL_SECONDS: env.int(DEFAULT_HEALTH_CONFIG.sqlProbeIntervalSeconds).pipe(z.number().min(0)),
  HEALTH_ALERT_WEBHOOK_URL: z.string().url().optional(),
  HEALTH_ALERT_RETRIES: env.int(DEFAULT_HEALTH_CONFIG.alertRetries).pipe(z.number().min(0).max(10)),
  HEALTH_RAW_RETENTION_HOURS: env.int(DEFAULT_HEALTH_CONFIG.rawRetentionHours).pipe(z.number().min(1)),
  /** Local only: the emulator's `/sql` and WebSocket proxy; unset on hosted (the driver's defaults). */
  NEON_SQL_HTTP_URL: z.string().url().optional(),
  NEON_WS_PROXY: z.string().min(1).optional(),
};

const healthEnvSchema = z.object(healthEnvShape);
export type HealthEnv = z.infer<typeof healthEnvSchema>;

export function healthConfigOf(e: HealthEnv): HealthConfig {
  if (e.HEALTH_UNHEALTHY_LATENCY_MS <= e.HEALTH_DEGRADED_LATENCY_MS) {
    throw new AppError("CONFIG_INVALID", "HEALTH_UNHEALTHY_LATENCY_MS must be greater than HEALTH_DEGRADED_LATENCY_MS.");
  }
  return {
    thresholds: {
      degradedLatencyMs: e.HEALTH_DEGRADED_LATENCY_MS,
      unhealthyLatencyMs: e.HEALTH_UNHEALTHY_LATENCY_MS,
      degradedConnectionRatio: e.HEALTH_DEGRADED_CONNECTION_RATIO,
      degradedStorageBytes: e.HEALTH_DEGRADED_STORAGE_BYTES,
    },
    concurrency: e.HEALTH_SWEEP_CONCURRENCY,
    budgetMs: e.HEALTH_SWEEP_BUDGET_MS,
    probeTimeoutMs: e.HEALTH_PROBE_TIMEOUT_MS,
    activeWithinSeconds: e.HEALTH_ACTIVE_WITHIN_SECONDS,
    sqlProbeIntervalSeconds: e.HEALTH_SQL_PROBE_INTERVAL_SECONDS,
    alertWebhookUrl: e.HEALTH_ALERT_WEBHOOK_URL ?? null,
    alertRetries: e.HEALTH_ALERT_RETRIES,
    rawRetentionHours: e.HEALTH_RAW_RETENTION_HOURS,
  };
}
