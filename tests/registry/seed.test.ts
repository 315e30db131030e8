/**
 * supabase/seed.sql on a fresh database (stand-in + migrations + seed, twice): the demo users and
 * organizations of local/supabase/demo-users.ts, idempotent, no tenants.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from "vitest";
import postgres from "postgres";
import { randomBytes } from "node:crypto";
import { applyMigrations, applySeed, applyStandin, withDatabase } from "../../local/supabase/database.ts";
import { DEMO_ORGS, DEMO_USERS } from "../../local/supabase/demo-users.ts";
import { withCaller } from "../../supabase/functions/_shared/db.ts";

const database = `seed_test_${randomBytes(4).toString("hex")}`;
const superuser = postgres(inject("superuserUrl"), { max: 1, prepare: false, onnotice: () => {} });
let db: postgres.Sql;

beforeAll(async () => {
  await superuser.unsafe(`create database ${database}`);
  const su = withDatabase(inject("superuserUrl"), database);
  await applyStandin(su, { postgresPassword: inject("postgresPassword"), vaultKeyHex: inject("keys").vaultKeyHex });
  const asPostgres = withDatabase(inject("superuserUrl"), database, { name: "postgres", password: inject("postgresPassword") });
  await applyMigrations(asPostgres);
  await applySeed(inject("superuserUrl"), database);
  await applySeed(inject("superuserUrl"), database); // idempotent
  db = postgres(asPostgres, { max: 2, prepare: false, onnotice: () => {} });
}, 60_000);

afterAll(async () => {
  await db?.end();
  await superuser.unsafe(`drop database if exists ${database} with (force)`);
  await superuser.end();
});

describe("seed.sql", () => {
  it("holds exactly the demo users and organizations of demo-users.ts, once each", async () => {
    const users = await db`select id, email from auth.users order by email`;
    expect(users).toEqual([...DEMO_USERS].map(({ id, email }) => ({ id, email })).sort((a, b) => a.email.localeCompare(b.email)));
    const orgs = await db`select id, slug, name from public.organizations order by slug`;
    expect(orgs).toEqual(DEMO_ORGS.map(({ id, slug, name }) => ({ id, slug, name })));
    const members = await db`select organization_id, user_id, role from public.organization_members order by organization_id, role`;
    expect(members).toEqual(expect.arrayContaining(DEMO_ORGS.flatMap((o) => o.members.map((m) => ({ organization_id: o.id, user_id: m.userId, role: m.role })))));
    expect(members).toHaveLength(4);
    expect(await db`select id from public.tenant_databases`).toHaveLength(0);
  });

  it("gives the demo users the roles the dev stack advertises", async () => {
    const acme = DEMO_ORGS.find((o) => o.slug === "acme")!;
    const roleOf = async (email: string) => {
      const user = DEMO_USERS.find((u) => u.email === email)!;
      return withCaller(db, { role: "authenticated", userId: user.id, claims: { sub: user.id, role: "authenticated" } }, async (tx) => {
        const [row] = await tx`select role from public.organization_members where organization_id = ${acme.id} and user_id = ${user.id}`;
        return row?.role as string | undefined;
      });
    };
    expect(await roleOf("owner@example.com")).toBe("owner");
    expect(await roleOf("admin@example.com")).toBe("admin");
    expect(await roleOf("member@example.com")).toBe("member");
    expect(await roleOf("outsider@example.com")).toBeUndefined();
    expect(DEMO_USERS[0]!.email).toBe("owner@example.com");
  });
});
