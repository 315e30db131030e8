/** A throwaway local Supabase stack for benchmarks: PostgreSQL + stand-in + migrations, fresh keys. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
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
  const stop = async () => { await pg.stop(); rmSync(root, { recursive: true, force: true }); };
  try {
    await applyStandin(pg.superuserUrl, { postgresPassword, vaultKeyHex: keys.vaultKeyHex });
    const dbUrl = withDatabase(pg.superuserUrl, "postgres", { name: "postgres", password: postgresPassword });
    await applyMigrations(dbUrl);
    return { pg, dbUrl, keys, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

export interface LoadResult {
  latencies: number[];
  errors: number;
  wallSeconds: number;
  /** CPU this process (the load generator) spent, in ms. */
  clientCpuMs: number;
}

/** Runs `task` from `concurrency` loops for `seconds`; returns per-request latencies in ms. */
export async function load(concurrency: number, seconds: number, task: (worker: number, i: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const t0 = performance.now();
      try { await task(worker, i); latencies.push(performance.now() - t0); } catch { errors++; }
    }
  }));
  const used = process.cpuUsage(cpu);
  return { latencies, errors, wallSeconds: (performance.now() - started) / 1000, clientCpuMs: (used.user + used.system) / 1000 };
}

/** `/proc/<pid>/stat` fields after the command name (Linux); undefined elsewhere or when gone. */
function statFields(pid: number | string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  } catch {
    return undefined;
  }
}

/** utime + stime of a `/proc/<pid>/stat` line, in ms (clock ticks of 10 ms). */
const cpuOf = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) * 10;

/** CPU time (ms) a process has used so far; undefined where /proc is not available. */
export function processCpuMs(pid: number | undefined): number | undefined {
  const fields = pid === undefined ? undefined : statFields(pid);
  return fields && cpuOf(fields);
}

/** CPU time (ms) the server processes of a PostgreSQL cluster (postmaster children) have used so far. */
export function postgresCpuMs(dataDir: string): number | undefined {
  let postmaster: string;
  let pids: string[];
  try {
    postmaster = readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]!.trim();
    pids = readdirSync("/proc");
  } catch {
    return undefined;
  }
  let total = 0;
  for (const entry of pids) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields && (entry === postmaster || fields[1] === postmaster)) total += cpuOf(fields);
  }
  return total;
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
