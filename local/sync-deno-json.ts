/**
 * Writes every function's deno.json from the root deno.json, so all import maps pin the same
 * versions (tests/platform/deno-imports.test.ts fails when they drift). Run: npx tsx local/sync-deno-json.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./supabase/database.ts";
import { readFunctionConfigs } from "./functions/gateway.ts";

const root = JSON.parse(readFileSync(join(REPO_ROOT, "deno.json"), "utf8")) as { imports: Record<string, string> };
for (const fn of readFunctionConfigs()) {
  const content = { imports: root.imports, lock: false };
  writeFileSync(fn.importMap, JSON.stringify(content, null, 2) + "\n");
  console.log(`wrote ${fn.importMap.slice(REPO_ROOT.length + 1)}`);
}
