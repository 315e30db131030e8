/**
 * The committed tenant-schema bundle (what edge functions run) must be exactly what
 * tenant-schema/build.ts makes from the SQL files, and the build must refuse malformed sources.
 */
import { describe, it, expect, afterEach } from "vitest";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE_PATH, readTenantSchema, renderBundle, sha256 } from "../../tenant-schema/build.ts";
import { tenantSchema } from "../../supabase/functions/_shared/tenant-schema/index.ts";

const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function schemaDir(migrations: Record<string, string>, seed: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "tenant-schema-"));
  temps.push(dir);
  for (const [sub, files] of [["migrations", migrations], ["seed", seed]] as const) {
    mkdirSync(join(dir, sub));
    for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, sub, name), sql);
  }
  return dir;
}

describe("tenant-schema bundle", () => {
  it("matches the SQL files (run `npm run tenant-schema:build` after changing them)", () => {
    expect(readFileSync(BUNDLE_PATH, "utf8"), "bundle.generated.ts is stale: run `npm run tenant-schema:build`").toBe(renderBundle());
  });

  it("carries a SHA-256 of each file, versions contiguous from 0001", () => {
    const versions = tenantSchema.migrations.map((m) => m.version);
    expect(versions).toEqual(versions.map((_, i) => String(i + 1).padStart(4, "0")));
    expect(tenantSchema.latestVersion).toBe(versions.at(-1));
    for (const item of [...tenantSchema.migrations, ...tenantSchema.seed]) expect(item.checksum).toBe(sha256(item.sql));
    expect(tenantSchema.seed.map((s) => s.name)).toEqual(["0001_store_settings", "0002_roles_and_permissions", "0003_default_categories"]);
  });

  it("normalises CRLF line endings so checksums do not depend on the checkout", () => {
    const lf = readTenantSchema(schemaDir({ "0001_a.sql": "create table a (id int);\nselect 1;\n" }));
    const crlf = readTenantSchema(schemaDir({ "0001_a.sql": "create table a (id int);\r\nselect 1;\r\n" }));
    expect(crlf.migrations[0]!.checksum).toBe(lf.migrations[0]!.checksum);
  });

  it("refuses gaps, bad names and empty files", () => {
    expect(() => readTenantSchema(schemaDir({ "0001_a.sql": "select 1;", "0003_c.sql": "select 3;" }))).toThrow(/expected version 0002/);
    expect(() => readTenantSchema(schemaDir({ "1_a.sql": "select 1;" }))).toThrow(/0001_snake_case_name\.sql/);
    expect(() => readTenantSchema(schemaDir({ "0001_CamelCase.sql": "select 1;" }))).toThrow(/0001_snake_case_name\.sql/);
    expect(() => readTenantSchema(schemaDir({ "0001_a.sql": "  \n" }))).toThrow(/is empty/);
  });
});
