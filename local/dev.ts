/**
 * `npm run dev`: the whole local stack in one terminal.
 *   PostgreSQL (embedded, data in .local/postgres, kept across restarts) with the Supabase stand-in,
 *   every migration and the seed → the local Neon emulator → the edge functions under real Deno at
 *   http://127.0.0.1:54321/functions/v1/<name> → a summary like `supabase start` prints.
 * Ctrl-C stops everything it started.
 */
import { existsSync, readFileSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startLocalPostgres, type LocalPostgres } from "./postgres.ts";
import { applyStandin, applyMigrations, applySeed, withDatabase, REPO_ROOT } from "./supabase/database.ts";
import { loadOrCreateLocalKeys, userToken } from "./supabase/keys.ts";
import { functionEnv } from "./supabase/function-env.ts";
import { startFunctionsServer, type FunctionsServer } from "./functions/gateway.ts";
import { loadDevEnv } from "./dev-env.ts";
import { devServices, type DevService } from "./dev-services.ts";
import { DEMO_USERS } from "./supabase/demo-users.ts";

const STATE_DIR = join(REPO_ROOT, ".local");
const LOCK_FILE = join(STATE_DIR, "dev.pid");

function fail(message: string): never {
  console.error(`npm run dev: ${message}`);
  process.exit(1);
}

function takeLock(): void {
  mkdirSync(STATE_DIR, { recursive: true });
  if (existsSync(LOCK_FILE)) {
    const pid = Number(readFileSync(LOCK_FILE, "utf8"));
    let alive = false;
    try { process.kill(pid, 0); alive = true; } catch { /* stale lock */ }
    if (alive && pid !== process.pid) fail(`another 'npm run dev' is already running (pid ${pid}); stop it first (Ctrl-C in its terminal).`);
  }
  writeFileSync(LOCK_FILE, String(process.pid));
}

function secretsFile(): { superuserPassword: string; postgresPassword: string } {
  const file = join(STATE_DIR, "passwords.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as { superuserPassword: string; postgresPassword: string };
  const created = { superuserPassword: randomBytes(12).toString("hex"), postgresPassword: "postgres" };
  writeFileSync(file, JSON.stringify(created), { mode: 0o600 });
  return created;
}

async function main(): Promise<void> {
  const started = Date.now();
  takeLock();
  const devEnv = loadDevEnv();
  const keys = await loadOrCreateLocalKeys(join(STATE_DIR, "keys.json"));
  const passwords = secretsFile();
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    for (const stop of stops.reverse()) await stop().catch((error: Error) => console.error(error.message));
    rmSync(LOCK_FILE, { force: true });
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    const pg: LocalPostgres = await startLocalPostgres({ dataDir: join(STATE_DIR, "postgres"), port: devEnv.DB_PORT, password: passwords.superuserPassword });
    stops.push(() => pg.stop());
    await applyStandin(pg.superuserUrl, { postgresPassword: passwords.postgresPassword, vaultKeyHex: keys.vaultKeyHex });
    const dbUrl = withDatabase(pg.superuserUrl, "postgres", { name: "postgres", password: passwords.postgresPassword });
    const migrations = await applyMigrations(dbUrl, undefined, (line) => console.log(`  db: ${line}`));
    await applySeed(pg.superuserUrl);

    const apiUrl = `http://127.0.0.1:${devEnv.API_PORT}`;
    const services: DevService[] = await devServices({ pg, dbUrl, apiUrl, keys, devEnv });
    for (const service of services) stops.push(service.stop);
    // GraphiQL and introspection are for local development only (hosted serves HTML as text).
    const extraEnv = Object.assign({ GRAPHQL_DEV_TOOLS: "true" }, devEnv.functionEnv, ...services.map((s) => s.functionEnv ?? {}));

    const functions: FunctionsServer = await startFunctionsServer({
      port: devEnv.API_PORT,
      jwks: keys.jwks,
      apiKeys: [keys.publishableKey, keys.secretKey],
      env: functionEnv({ apiUrl, dbUrl, keys, extra: extraEnv }),
      onLog: (source, line) => console.log(`[${source}] ${line}`),
    });
    stops.push(() => functions.stop());
    for (const service of services) await service.afterFunctions?.(functions);

    await printSummary({ apiUrl, dbUrl, keys, services, seconds: (Date.now() - started) / 1000, migrationsApplied: migrations.applied.length });
  } catch (error) {
    console.error(`npm run dev: ${(error as Error).message}`);
    await shutdown(1);
  }
}

async function printSummary(info: { apiUrl: string; dbUrl: string; keys: Awaited<ReturnType<typeof loadOrCreateLocalKeys>>; services: DevService[]; seconds: number; migrationsApplied: number }): Promise<void> {
  const tokens = await Promise.all(DEMO_USERS.map(async (u) => ({ ...u, token: await userToken(info.keys, u, 24 * 3600) })));
  const lines = [
    "",
    `Local control plane is running (started in ${info.seconds.toFixed(1)} s${info.migrationsApplied ? `, ${info.migrationsApplied} migration(s) applied` : ""}).`,
    "",
    `         API URL: ${info.apiUrl}`,
    `   Functions URL: ${info.apiUrl}/functions/v1/<name>`,
    `     GraphQL URL: ${info.apiUrl}/functions/v1/graphql-v2 (GraphiQL: open it in a browser)`,
    `          DB URL: ${info.dbUrl}`,
    ...info.services.flatMap((s) => s.summary ?? []),
    `        JWKS URL: ${info.apiUrl}/auth/v1/.well-known/jwks.json`,
    `        anon key: ${info.keys.anonKey}`,
    `service_role key: ${info.keys.serviceRoleKey}`,
    ` publishable key: ${info.keys.publishableKey}`,
    `      secret key: ${info.keys.secretKey}`,
    "",
    "Demo users (access tokens valid 24 h; restart to get fresh ones):",
    ...tokens.flatMap((u) => [`  ${u.email} (${u.description})`, `    ${u.token}`]),
    "",
    "Try it:",
    `  curl -s ${info.apiUrl}/functions/v1/graphql-v2 \\`,
    `    -H "Authorization: Bearer ${tokens[0]!.token}" \\`,
    `    -H "Content-Type: application/json" -d '{"query":"{ __typename }"}'`,
    "",
    "Press Ctrl-C to stop.",
  ];
  console.log(lines.join("\n"));
}

void main();
