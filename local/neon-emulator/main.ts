/**
 * `npm run neon:emulator`: the emulator on its own.
 *
 * Environment (all optional):
 *   NEON_EMULATOR_ADMIN_URL   superuser URL of a running Postgres; without it a private one is
 *                             started, data in .local/neon-emulator/postgres (kept across runs)
 *   NEON_EMULATOR_PORT        HTTP port (default 54330, as in `npm run dev`; 0 = any free port)
 *   NEON_API_KEY              accepted API key (default: neon-emulator-local-key)
 *   NEON_EMULATOR_OPERATION_MS, NEON_EMULATOR_PROJECTS_LIMIT, NEON_EMULATOR_PUBLIC_HOST,
 *   NEON_EMULATOR_PUBLIC_PORT, NEON_EMULATOR_RATE_LIMIT=off
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { freePort, startLocalPostgres, type LocalPostgres } from "../postgres.ts";
import { startNeonEmulator } from "./emulator.ts";
import { DEFAULT_API_KEY } from "./options.ts";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const STATE_DIR = join(REPO_ROOT, ".local", "neon-emulator");

const int = (name: string): number | undefined => {
  const text = process.env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got '${text}'`);
  return value;
};

/** The private server's superuser password, created once and kept (0600) beside its data. */
function superuserPassword(): string {
  const file = join(STATE_DIR, "superuser-password");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(STATE_DIR, { recursive: true });
  const password = randomBytes(12).toString("hex");
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

async function main(): Promise<void> {
  let pg: LocalPostgres | undefined;
  let adminUrl = process.env.NEON_EMULATOR_ADMIN_URL;
  if (!adminUrl) {
    pg = await startLocalPostgres({ dataDir: join(STATE_DIR, "postgres"), port: int("NEON_EMULATOR_DB_PORT") ?? (await freePort()), password: superuserPassword() });
    adminUrl = pg.superuserUrl;
  }
  const apiKey = process.env.NEON_API_KEY || DEFAULT_API_KEY;
  const emulator = await startNeonEmulator({
    adminUrl,
    port: int("NEON_EMULATOR_PORT") ?? 54330,
    apiKeys: [apiKey],
    ...(int("NEON_EMULATOR_OPERATION_MS") !== undefined ? { operationDurationMs: int("NEON_EMULATOR_OPERATION_MS") } : {}),
    ...(int("NEON_EMULATOR_PROJECTS_LIMIT") !== undefined ? { projectsLimit: int("NEON_EMULATOR_PROJECTS_LIMIT") } : {}),
    ...(process.env.NEON_EMULATOR_PUBLIC_HOST ? { publicHost: process.env.NEON_EMULATOR_PUBLIC_HOST } : {}),
    ...(int("NEON_EMULATOR_PUBLIC_PORT") !== undefined ? { publicPort: int("NEON_EMULATOR_PUBLIC_PORT") } : {}),
    ...(process.env.NEON_EMULATOR_RATE_LIMIT === "off" ? { rateLimit: false as const } : {}),
    log: (m) => console.error(`[neon-emulator] ${m}`),
  }).catch(async (err: unknown) => {
    await pg?.stop();
    throw err;
  });

  const server = new URL(adminUrl);
  console.log([
    `Neon emulator listening on port ${emulator.port}`,
    `  NEON_API_URL=${emulator.url}`,
    `  NEON_API_KEY=${process.env.NEON_API_KEY ? "(from NEON_API_KEY)" : apiKey}`,
    `  neonConfig.fetchEndpoint = "${emulator.sqlHttpUrl}"`,
    `  neonConfig.wsProxy = "${emulator.wsProxyHost}/v2"; useSecureWebSocket = false; pipelineConnect = false`,
    `  Postgres: ${server.hostname}:${server.port}${pg ? ` (private, data in ${join(STATE_DIR, "postgres")})` : ""}`,
    `  Admin: ${emulator.origin}/admin/counters, /admin/faults, /admin/clock`,
    "Press Ctrl-C to stop.",
  ].join("\n"));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await emulator.stop();
    await pg?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((err: Error) => {
  console.error(`neon:emulator: ${err.message}`);
  process.exit(1);
});
