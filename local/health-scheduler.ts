/**
 * `npm run dev`'s stand-in for the pg_cron jobs of migration 20261123002200 (the local database
 * has neither pg_cron nor pg_net): the same requests, with the secret key in `apikey`, on the same
 * schedule — a sweep step of check-tenant-health every 30 s, provision-tenant-resources/resume
 * every 60 s. Rollups and retention run at the end of each completed sweep pass. Local only.
 */
import type { DevService } from "./dev-services.ts";
import type { FunctionsServer } from "./functions/gateway.ts";

export interface HealthSchedulerOptions {
  secretKey: string;
  sweepEveryMs?: number;
  resumeEveryMs?: number;
  log?: (line: string) => void;
}

export function healthSchedulerService(options: HealthSchedulerOptions): DevService {
  const timers: NodeJS.Timeout[] = [];
  const log = options.log ?? ((line: string) => console.log(`[scheduler] ${line}`));
  let stopped = false;

  const post = async (functions: FunctionsServer, path: string, body: unknown) => {
    if (stopped) return;
    try {
      const response = await fetch(`${functions.url}/functions/v1/${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", apikey: options.secretKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      // 202 while another sweep holds the lease is fine; errors are shown.
      if (response.status >= 400) log(`${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
    } catch (error) {
      if (!stopped) log(`${path}: ${(error as Error).message}`);
    }
  };

  return {
    name: "scheduler",
    summary: ["Scheduler: check-tenant-health sweep every 30 s, provision-tenant-resources/resume every 60 s (as pg_cron on hosted)"],
    afterFunctions: async (functions) => {
      timers.push(setInterval(() => void post(functions, "check-tenant-health", { mode: "sweep" }), options.sweepEveryMs ?? 30_000));
      timers.push(setInterval(() => void post(functions, "provision-tenant-resources/resume", {}), options.resumeEveryMs ?? 60_000));
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
    },
  };
}
