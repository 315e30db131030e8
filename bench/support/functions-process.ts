/**
 * The local functions gateway (and its Deno workers) in its own process, as the platform's gateway
 * and edge runtime are separate from the clients calling them: sharing the load generator's event
 * loop would queue requests behind the gateway's work and mix both CPU figures.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../../local/supabase/database.ts";
import type { FunctionsServerOptions } from "../../local/functions/gateway.ts";
import { startTsxProcess } from "./tsx-process.ts";

export interface FunctionsProcess {
  url: string;
  /** PID of the gateway's Node process (tsx runs it as a child of the process spawned here). */
  gatewayPid: number;
  /** PID of each function's Deno process. */
  functionPids: Record<string, number | undefined>;
  stop(): Promise<void>;
}

export async function startFunctionsProcess(options: Omit<FunctionsServerOptions, "onLog">): Promise<FunctionsProcess> {
  const child = await startTsxProcess(join(REPO_ROOT, "bench", "support", "functions-main.ts"), { BENCH_FUNCTIONS_OPTIONS: JSON.stringify(options) }, /^ready (.+)$/);
  const ready = JSON.parse(child.match[1]!) as { url: string; gatewayPid: number; pids: Record<string, number | undefined> };
  return {
    url: ready.url,
    gatewayPid: ready.gatewayPid,
    functionPids: ready.pids,
    stop: child.stop,
  };
}
