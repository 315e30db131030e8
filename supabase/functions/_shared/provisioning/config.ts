/**
 * Provisioning settings from the environment (all optional). Entrypoints spread
 * `provisioningEnvShape` into their schema and pass `provisioningOptions(config)` to
 * createProvisioningEngine, so GraphQL mutations build the same engine from the same config.
 */
import { z } from "zod";
import { env } from "../config.ts";
import type { ProvisioningDeps } from "./types.ts";

export const provisioningEnvShape = {
  SUPABASE_URL: z.string().url(),
  PROVISIONING_LEASE_SECONDS: env.int(120).pipe(z.number().min(1).max(3600)),
  PROVISIONING_MAX_ATTEMPTS: env.int(5).pipe(z.number().min(1).max(20)),
  PROVISIONING_BACKOFF_MS: env.int(1_000).pipe(z.number().min(0)),
  PROVISIONING_OPERATION_POLL_MS: env.int(1_500).pipe(z.number().min(10)),
  /** Tests only: pause after each step so a crash can be injected at the step boundary. */
  PROVISIONING_PAUSE_AFTER_STEP_MS: env.int(0).pipe(z.number().min(0).max(60_000)),
};

const schema = z.object(provisioningEnvShape);
export type ProvisioningEnv = z.infer<typeof schema>;

export function provisioningOptions(config: ProvisioningEnv): Partial<ProvisioningDeps> {
  return {
    leaseSeconds: config.PROVISIONING_LEASE_SECONDS,
    maxAttempts: config.PROVISIONING_MAX_ATTEMPTS,
    baseBackoffMs: config.PROVISIONING_BACKOFF_MS,
    operationPollDelayMs: config.PROVISIONING_OPERATION_POLL_MS,
    pauseAfterStepMs: config.PROVISIONING_PAUSE_AFTER_STEP_MS,
    graphqlEndpointUrl: `${config.SUPABASE_URL.replace(/\/$/, "")}/functions/v1/graphql-v2`,
  };
}
