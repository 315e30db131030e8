/** Options of `startNeonEmulator` and their defaults. */
import type { Clock } from "./clock.ts";
import type { Region } from "./context.ts";
import type { FaultConfig } from "./faults.ts";
import { NEON_RATE_LIMITS, type RateLimitOptions } from "./rate-limit.ts";

export interface NeonEmulatorOptions {
  /** Admin connection URL: a superuser of the local server (see postgres-admin.ts). */
  adminUrl: string;
  /** HTTP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  listenHost?: string;
  /** Host and port advertised in endpoints and connection URIs (default: the admin URL's). */
  publicHost?: string;
  publicPort?: number;
  /** Accepted API keys, optionally labelled for counters (default: one key, `neon-emulator-local-key`). */
  apiKeys?: Array<string | { key: string; label: string }>;
  /** Duration of each operation, scheduling → finished, in ms (default 500). */
  operationDurationMs?: number;
  /** Share of an operation's duration spent in `scheduling` (default 0.2). */
  operationSchedulingShare?: number;
  /** Per-key limits (default Neon's: 700/min, 40/s per route); false disables. */
  rateLimit?: RateLimitOptions | false;
  /** Project quota (default 1000); beyond it createProject answers 422 PROJECTS_LIMIT_EXCEEDED. */
  projectsLimit?: number;
  /** Regions served by getActiveRegions and accepted by createProject. */
  regions?: Region[];
  /** Initial fault injection (see faults.ts). */
  faults?: FaultConfig;
  /** Database holding the emulator's state (default `neon_emulator`); false keeps state in memory only. */
  stateDatabase?: string | false;
  /** How often to look for direct sessions on tenant databases, in ms (default 1000; 0 disables). */
  activityPollMs?: number;
  /** What suspend_timeout_seconds = 0 means (Neon: 300). */
  defaultSuspendTimeoutSeconds?: number;
  /** Smallest positive suspend_timeout_seconds accepted (Neon: 60). */
  minSuspendTimeoutSeconds?: number;
  /** `/sql` session pools: sessions per (database, role) and idle seconds before closing (defaults 10 and 5). */
  sqlPoolMax?: number;
  sqlPoolIdleTimeoutSeconds?: number;
  /** Serve `/sql` and WebSocket sessions for databases the emulator does not manage (default true). */
  allowUnmanagedDatabases?: boolean;
  /** `sslmode` of returned URIs; default `require` when the server has TLS on, none otherwise; null omits it. */
  sslmode?: string | null;
  /** Clock (default: wall clock, advanceable). */
  clock?: Clock;
  /** Diagnostics sink (default: stderr with a prefix). Never receives passwords. */
  log?: (message: string) => void;
}

/** Regions as Neon lists them (aws first; the default is aws-us-east-2, as for new Neon projects). */
export const DEFAULT_REGIONS: Region[] = [
  { region_id: "aws-us-east-1", name: "AWS US East (N. Virginia)", default: false, geo_lat: "38.9940541", geo_long: "-77.4524237" },
  { region_id: "aws-us-east-2", name: "AWS US East (Ohio)", default: true, geo_lat: "39.9612", geo_long: "-82.9988" },
  { region_id: "aws-us-west-2", name: "AWS US West (Oregon)", default: false, geo_lat: "45.5152", geo_long: "-122.6784" },
  { region_id: "aws-eu-central-1", name: "AWS Europe (Frankfurt)", default: false, geo_lat: "50.1109", geo_long: "8.6821" },
  { region_id: "aws-eu-west-2", name: "AWS Europe (London)", default: false, geo_lat: "51.5072", geo_long: "-0.1276" },
  { region_id: "aws-ap-southeast-1", name: "AWS Asia Pacific (Singapore)", default: false, geo_lat: "1.3521", geo_long: "103.8198" },
  { region_id: "aws-ap-southeast-2", name: "AWS Asia Pacific (Sydney)", default: false, geo_lat: "-33.8688", geo_long: "151.2093" },
  { region_id: "aws-sa-east-1", name: "AWS South America (São Paulo)", default: false, geo_lat: "-23.5558", geo_long: "-46.6396" },
  { region_id: "azure-eastus2", name: "Azure East US 2 (Virginia)", default: false, geo_lat: "36.6681", geo_long: "-78.3889" },
  { region_id: "azure-westus3", name: "Azure West US 3 (Arizona)", default: false, geo_lat: "33.4484", geo_long: "-112.0740" },
  { region_id: "azure-gwc", name: "Azure Germany West Central (Frankfurt)", default: false, geo_lat: "50.1109", geo_long: "8.6821" },
];

export const DEFAULT_API_KEY = "neon-emulator-local-key";

export const DEFAULTS = {
  port: 0,
  listenHost: "127.0.0.1",
  operationDurationMs: 500,
  operationSchedulingShare: 0.2,
  rateLimit: NEON_RATE_LIMITS,
  projectsLimit: 1000,
  stateDatabase: "neon_emulator",
  activityPollMs: 1000,
  defaultSuspendTimeoutSeconds: 300,
  minSuspendTimeoutSeconds: 60,
  sqlPoolMax: 10,
  sqlPoolIdleTimeoutSeconds: 5,
  allowUnmanagedDatabases: true,
} as const;
