/** Public surface of the local Neon emulator. */
export { startNeonEmulator } from "./emulator.ts";
export type { NeonEmulator, CountersSnapshot, EmulatorNeonConfig } from "./emulator.ts";
export type { NeonEmulatorOptions } from "./options.ts";
export { DEFAULT_API_KEY, DEFAULT_REGIONS } from "./options.ts";
export type { FaultConfig, RouteFaults, InjectedStatus } from "./faults.ts";
export type { ApiCounters } from "./counters.ts";
export type { EndpointCounters, SqlCounters, EndpointState } from "./endpoint-activity.ts";
export type { RateLimitOptions } from "./rate-limit.ts";
export { createClock, type Clock } from "./clock.ts";
