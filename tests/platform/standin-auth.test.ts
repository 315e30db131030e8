/** The local Supabase stand-in: API roles and auth.uid()/auth.role()/auth.jwt() read request.jwt.claims as Supabase does. */
import { describe, it, expect, afterAll, inject } from "vitest";
import postgres from "postgres";

const sql = postgres(inject("dbUrl"), { max: 1, onnotice: () => {} });
afterAll(() => sql.end());

describe("stand-in: roles and auth functions", () => {
  it("postgres is not a superuser but bypasses RLS, like hosted Supabase", async () => {
    const [role] = await sql`select rolsuper, rolbypassrls from pg_roles where rolname = current_user`;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: true });
  });

  it("service_role bypasses RLS; anon and authenticated do not", async () => {
    const rows = await sql`select rolname, rolbypassrls from pg_roles where rolname in ('anon','authenticated','service_role') order by rolname`;
    expect(rows).toEqual([
      { rolname: "anon", rolbypassrls: false },
      { rolname: "authenticated", rolbypassrls: false },
      { rolname: "service_role", rolbypassrls: true },
    ]);
  });

  it("auth.uid(), auth.role() and auth.jwt() read request.jwt.claims inside a transaction only", async () => {
    const sub = crypto.randomUUID();
    const inside = await sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub, role: "authenticated", email: "a@example.com" })}, true), set_config('role', 'authenticated', true)`;
      const [row] = await tx`select auth.uid() as uid, auth.role() as role, auth.jwt() ->> 'email' as email, current_user as usr`;
      return row;
    });
    expect(inside).toEqual({ uid: sub, role: "authenticated", email: "a@example.com", usr: "authenticated" });
    const [after] = await sql`select auth.uid() as uid, current_user as usr`;
    expect(after).toEqual({ uid: null, usr: "postgres" });
  });
});
