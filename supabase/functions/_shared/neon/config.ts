/**
 * Neon settings read from the environment. Entrypoints spread `neonEnvShape` into their own zod
 * schema (`z.object({ ...neonEnvShape, ... })`), parse once with `parseConfig`, and pass
 * `neonGatewayOptions(config)` to `createNeonGateway`. `NEON_API_URL` is the only switch between
 * Neon and the local emulator.
 */
import { z } from "zod";
import { env } from "../config.ts";
import { DEFAULT_NEON_TIMEOUT_MS, NEON_API_URL, type NeonGatewayOptions } from "./http-gateway.ts";
import { CLIENT_RATE_LIMITS } from "./rate-budget.ts";

export const neonEnvShape = {
  NEON_API_KEY: z.string().min(1),
  NEON_API_URL: z.string().url().default(NEON_API_URL),
  /** Needed with a personal API key; an organization key implies it. */
  NEON_ORG_ID: z.string().min(1).optional(),
  NEON_TIMEOUT_MS: env.int(DEFAULT_NEON_TIMEOUT_MS).pipe(z.number().min(1_000).max(120_000)),
  NEON_RATE_PER_MINUTE: env.int(CLIENT_RATE_LIMITS.perMinute).pipe(z.number().min(1)),
  NEON_RATE_PER_SECOND_PER_ROUTE: env.int(CLIENT_RATE_LIMITS.perSecondPerRoute).pipe(z.number().min(1)),
};

const neonEnvSchema = z.object(neonEnvShape);
export type NeonEnv = z.infer<typeof neonEnvSchema>;

export function neonGatewayOptions(config: NeonEnv): Pick<NeonGatewayOptions, "apiKey" | "baseUrl" | "orgId" | "timeoutMs" | "rateLimits"> {
  return {
    apiKey: config.NEON_API_KEY,
    baseUrl: config.NEON_API_URL,
    ...(config.NEON_ORG_ID ? { orgId: config.NEON_ORG_ID } : {}),
    timeoutMs: config.NEON_TIMEOUT_MS,
    rateLimits: { perMinute: config.NEON_RATE_PER_MINUTE, perSecondPerRoute: config.NEON_RATE_PER_SECOND_PER_ROUTE },
  };
}
