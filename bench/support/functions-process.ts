/**
 * The local functions gateway (and its Deno workers) in its own process, as the platform's gateway
 * and edge runtime are separate from the clients calling them: sharing the load generator's event
 * loop would queue requests behind the gateway's work and mix both CPU figures.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../../local/supabase/database.ts";
import type { FunctionsServerOptions } from "../../local/functions/gateway.ts";

export interface FunctionsProcess {
  url: string;
  /** PID of the gateway's Node process (tsx runs it as a child of the process spawned here). */
  gatewayPid: number;
  /** PID of each function's Deno process. */
  functionPids: Record<string, number | undefined>;
  stop(): Promise<void>;
}

export async function startFunctionsProcess(options: Omit<FunctionsServerOptions, "onLog">): Promise<FunctionsProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), join(REPO_ROOT, "bench", "support", "functions-main.ts")], {
    env: { ...process.env, BENCH_FUNCTIONS_OPTIONS: JSON.stringify(options) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4000); });
  const ready = await new Promise<{ url: string; gatewayPid: number; pids: Record<string, number | undefined> }>((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^ready (.+)$/m.exec(output);
      if (match) resolve(JSON.parse(match[1]!));
    });
    child.once("exit", (code) => reject(new Error(`functions process exited (${code}): ${log}`)));
  });
  return {
    url: ready.url,
    gatewayPid: ready.gatewayPid,
    functionPids: ready.pids,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
