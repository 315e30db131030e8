/** Public surface of the Neon gateway; import from here, not from the individual files. */
export type * from "./gateway.ts";
export { createNeonGateway, DEFAULT_NEON_TIMEOUT_MS, NEON_API_URL, PLATFORM_TENANT_KEY, searchProjects, type NeonGatewayOptions } from "./http-gateway.ts";
export { NeonApiError, NeonOperationError, isNeonApiError, neonErrorToAppError, type NeonFailureKind, type NeonOperationFailure } from "./errors.ts";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy.ts";
export { createRateBudget, processRateBudget, NEON_RATE_LIMITS, CLIENT_RATE_LIMITS, type RateBudget, type RateLimits } from "./rate-budget.ts";
export type { NeonCallCounts, NeonCallEvent, NeonCallListener, NeonCallOutcome } from "./call-stats.ts";
export { DEFAULT_OPERATION_WAIT, type OperationWaitOptions } from "./operations.ts";
export { FALLBACK_REGION_IDS, type RegionList } from "./regions.ts";
export { neonEnvShape, neonGatewayOptions, type NeonEnv } from "./config.ts";
export * from "./plans.ts";
