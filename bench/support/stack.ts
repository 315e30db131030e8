/** A throwaway local Supabase stack for benchmarks: PostgreSQL + stand-in + migrations, fresh keys. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startLocalPostgres, freePort, type LocalPostgres } from "../../local/postgres.ts";
import { applyStandin, applyMigrations, withDatabase } from "../../local/supabase/database.ts";
import { generateLocalKeys, type LocalKeys } from "../../local/supabase/keys.ts";

export interface BenchStack { pg: LocalPostgres; dbUrl: string; keys: LocalKeys; stop(): Promise<void> }

export async function startBenchStack(settings: Record<string, string | number> = {}): Promise<BenchStack> {
  const root = mkdtempSync(join(tmpdir(), "tcp-bench-"));
  const keys = await generateLocalKeys();
  const postgresPassword = randomBytes(12).toString("hex");
  const pg = await startLocalPostgres({ dataDir: join(root, "db"), port: await freePort(), password: randomBytes(12).toString("hex"), fast: true, settings });
  await applyStandin(pg.superuserUrl, { postgresPassword, vaultKeyHex: keys.vaultKeyHex });
  const dbUrl = withDatabase(pg.superuserUrl, "postgres", { name: "postgres", password: postgresPassword });
  await applyMigrations(dbUrl);
  return {
    pg, dbUrl, keys,
    async stop() { await pg.stop(); rmSync(root, { recursive: true, force: true }); },
  };
}

/** Runs `task` from `concurrency` loops for `seconds`; returns per-request latencies in ms. */
export async function load(concurrency: number, seconds: number, task: (worker: number, i: number) => Promise<void>): Promise<{ latencies: number[]; errors: number; wallSeconds: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const t0 = performance.now();
      try { await task(worker, i); latencies.push(performance.now() - t0); } catch { errors++; }
    }
  }));
  return { latencies, errors, wallSeconds: (performance.now() - started) / 1000 };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function argValue(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
