/** Where the real Deno runtime from the `deno` npm package lives, and the cache it uses. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./supabase/database.ts";

const TARGETS: Record<string, string> = {
  "linux-x64": "linux-x64-glibc",
  "linux-arm64": "linux-arm64-glibc",
  "darwin-x64": "darwin-x64",
  "darwin-arm64": "darwin-arm64",
};

/** Path of the deno executable installed by `npm install`. */
export function denoBinary(): string {
  const direct = join(REPO_ROOT, "node_modules", "deno", "deno");
  if (existsSync(direct)) return direct;
  const target = TARGETS[`${process.platform}-${process.arch}`];
  const fallback = target ? join(REPO_ROOT, "node_modules", "@deno", target, "deno") : "";
  if (fallback && existsSync(fallback)) return fallback;
  throw new Error("The Deno runtime is not installed: run 'npm install' (the 'deno' package provides it).");
}

/** Deno's module cache, kept inside the project (git-ignored) so every tool shares one warm cache. */
export const DENO_DIR = join(REPO_ROOT, ".local", "deno");

export function denoEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...(process.env as Record<string, string>), DENO_DIR, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...extra };
}
