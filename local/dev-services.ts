/**
 * Services `npm run dev` runs beside PostgreSQL and the functions: each may add function env,
 * summary lines, and work to start once the functions are up.
 */
import type { LocalPostgres } from "./postgres.ts";
import type { LocalKeys } from "./supabase/keys.ts";
import type { DevEnv } from "./dev-env.ts";
import type { FunctionsServer } from "./functions/gateway.ts";
import { startNeonEmulatorService } from "./neon-emulator/dev-service.ts";
import { healthSchedulerService } from "./health-scheduler.ts";

export interface DevService {
  name: string;
  functionEnv?: Record<string, string>;
  summary?: string[];
  afterFunctions?: (functions: FunctionsServer) => Promise<void>;
  stop: () => Promise<void>;
}

export interface DevContext { pg: LocalPostgres; dbUrl: string; apiUrl: string; keys: LocalKeys; devEnv: DevEnv }

export async function devServices(context: DevContext): Promise<DevService[]> {
  const services: DevService[] = [];
  // Point the product at a real Neon by setting NEON_API_URL in .env.local; otherwise the local emulator.
  if (!context.devEnv.functionEnv.NEON_API_URL) {
    services.push(await startNeonEmulatorService({ adminUrl: context.pg.superuserUrl, port: context.devEnv.NEON_EMULATOR_PORT }));
  }
  // The pg_cron schedule of migration 20261123002200, run by the dev stack itself.
  services.push(healthSchedulerService({ secretKey: context.keys.secretKey }));
  return services;
}
