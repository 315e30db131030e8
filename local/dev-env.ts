/**
 * Settings for `npm run dev`, read from the git-ignored `.env.local` (see `.env.local.example`).
 * Every key that is not one of the stack's own ports is passed to the functions, as
 * `supabase functions serve --env-file` does.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./supabase/database.ts";

export interface DevEnv {
  API_PORT: number;
  DB_PORT: number;
  NEON_EMULATOR_PORT: number;
  /** Variables handed to every function. */
  functionEnv: Record<string, string>;
}

const STACK_KEYS = new Set(["API_PORT", "DB_PORT", "NEON_EMULATOR_PORT"]);

export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new Error(`.env.local: cannot read line '${line}' (expected KEY=value)`);
    let value = match[2]!.trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    values[match[1]!] = value;
  }
  return values;
}

function port(values: Record<string, string>, key: string, fallback: number): number {
  const text = process.env[key] ?? values[key];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${key} must be a port number, got '${text}'`);
  return value;
}

export function loadDevEnv(file = join(REPO_ROOT, ".env.local")): DevEnv {
  const values = existsSync(file) ? parseEnvFile(readFileSync(file, "utf8")) : {};
  for (const key of Object.keys(values)) {
    if (key.startsWith("SUPABASE_")) throw new Error(`.env.local: ${key} is set by the platform; custom secrets must not start with SUPABASE_.`);
  }
  const functionEnv = Object.fromEntries(Object.entries(values).filter(([key]) => !STACK_KEYS.has(key)));
  return {
    API_PORT: port(values, "API_PORT", 54321),
    DB_PORT: port(values, "DB_PORT", 54322),
    NEON_EMULATOR_PORT: port(values, "NEON_EMULATOR_PORT", 54330),
    functionEnv,
  };
}
