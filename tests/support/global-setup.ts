/**
 * Vitest global setup: one throwaway PostgreSQL for the whole run (random free port, fresh data
 * directory, removed afterwards), brought to the state of a Supabase project: stand-in, then every
 * migration. Tests never depend on `npm run dev`.
 */
import type { TestProject } from "vitest/node";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startLocalPostgres, freePort } from "../../local/postgres.ts";
import { applyStandin, applyMigrations, withDatabase } from "../../local/supabase/database.ts";
import { generateLocalKeys, type LocalKeys } from "../../local/supabase/keys.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Cluster superuser URL (creates databases, roles; like the platform itself). */
    superuserUrl: string;
    /** The registry database as `postgres` (what SUPABASE_DB_URL is on hosted). */
    dbUrl: string;
    pgPort: number;
    postgresPassword: string;
    keys: LocalKeys;
  }
}

export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), "tcp-test-"));
  const password = randomBytes(12).toString("hex");
  const postgresPassword = randomBytes(12).toString("hex");
  const keys = await generateLocalKeys();
  const pg = await startLocalPostgres({ dataDir: join(root, "db"), port: await freePort(), password, fast: true });
  try {
    await applyStandin(pg.superuserUrl, { postgresPassword, vaultKeyHex: keys.vaultKeyHex });
    const dbUrl = withDatabase(pg.superuserUrl, "postgres", { name: "postgres", password: postgresPassword });
    await applyMigrations(dbUrl);
    project.provide("superuserUrl", pg.superuserUrl);
    project.provide("dbUrl", dbUrl);
    project.provide("pgPort", pg.port);
    project.provide("postgresPassword", postgresPassword);
    project.provide("keys", keys);
  } catch (error) {
    await pg.stop();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return async () => {
    await pg.stop();
    rmSync(root, { recursive: true, force: true });
  };
}
