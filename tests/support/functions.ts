/** Starts the real Deno functions server (local/functions/gateway.ts) for a test file. */
import { inject } from "vitest";
import { startFunctionsServer, type FunctionsServer } from "../../local/functions/gateway.ts";
import { functionEnv } from "../../local/supabase/function-env.ts";
import { freePort } from "../../local/postgres.ts";

export interface TestFunctions extends FunctionsServer { logs: string[] }

export async function startTestFunctions(options: { only?: string[]; extraEnv?: Record<string, string> } = {}): Promise<TestFunctions> {
  const keys = inject("keys");
  const port = await freePort();
  const logs: string[] = [];
  const server = await startFunctionsServer({
    port,
    jwks: keys.jwks,
    apiKeys: [keys.publishableKey, keys.secretKey],
    env: functionEnv({ apiUrl: `http://127.0.0.1:${port}`, dbUrl: inject("dbUrl"), keys, extra: options.extraEnv }),
    onLog: (source, line) => logs.push(`${source}: ${line}`),
    only: options.only,
  });
  return Object.assign(server, { logs });
}
