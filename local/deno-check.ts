/** `npm run check`, Deno half: type-checks every edge function entry with its own deno.json, as deploy would. */
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "./supabase/database.ts";
import { readFunctionConfigs } from "./functions/gateway.ts";
import { denoBinary, denoEnv } from "./deno.ts";

let failed = false;
for (const fn of readFunctionConfigs()) {
  const result = spawnSync(denoBinary(), ["check", "--quiet", `--config=${fn.importMap}`, fn.entrypoint], { cwd: REPO_ROOT, env: denoEnv(), stdio: "inherit" });
  console.log(`deno check ${fn.name}: ${result.status === 0 ? "ok" : "FAILED"}`);
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
