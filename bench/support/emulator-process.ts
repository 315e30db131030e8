/**
 * The Neon emulator in its own process, as Neon is a separate service: sharing the benchmark's
 * event loop would let its work delay our requests and bunch their arrival, which distorts both
 * the overhead figures and the rate-limit counts.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../../local/supabase/database.ts";
import { startTsxProcess } from "./tsx-process.ts";
import type { FaultConfig } from "../../local/neon-emulator/faults.ts";
import type { CountersSnapshot } from "../../local/neon-emulator/emulator.ts";

export interface EmulatorProcess {
  url: string;
  apiKey: string;
  sqlHttpUrl: string;
  setFaults(config: FaultConfig): Promise<void>;
  counters(): Promise<CountersSnapshot>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(options: { adminUrl: string; operationMs: number }): Promise<EmulatorProcess> {
  const apiKey = "bench-neon-key";
  const child = await startTsxProcess(
    join(REPO_ROOT, "local", "neon-emulator", "main.ts"),
    { NEON_EMULATOR_ADMIN_URL: options.adminUrl, NEON_EMULATOR_PORT: "0", NEON_API_KEY: apiKey, NEON_EMULATOR_OPERATION_MS: String(options.operationMs) },
    /listening on port (\d+)/,
  );
  const port = Number(child.match[1]);
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/api/v2`,
    apiKey,
    sqlHttpUrl: `${origin}/sql`,
    async setFaults(config) {
      const response = await fetch(`${origin}/admin/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(config) });
      if (!response.ok) throw new Error(`setting faults failed: ${response.status} ${await response.text()}`);
    },
    async counters() {
      return (await (await fetch(`${origin}/admin/counters`)).json()) as CountersSnapshot;
    },
    stop: child.stop,
  };
}
