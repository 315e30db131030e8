/**
 * Registry hygiene read from the catalog: RLS everywhere, comments beside every object, no direct
 * writes for API roles, EXECUTE only where meant, SECURITY DEFINER functions with an empty
 * search_path, nothing of `private` or `vault` reachable by anon/authenticated, no FK into vault.
 */
import { describe, it, expect, afterAll } from "vitest";
import type { Sql } from "../../supabase/functions/_shared/db.ts";
import { registryClient } from "./fixtures.ts";

const sql: Sql = registryClient(2);
afterAll(() => sql.end());

const REGISTRY_TABLES = [
  "audit_log", "organization_members", "organizations", "provisioning_events", "tenant_databases",
  "tenant_health_checks", "tenant_migrations", "tenant_status_transitions",
];

/** Functions `authenticated` may execute: owner/admin/member entry points that check roles themselves. */
const AUTHENTICATED_FUNCTIONS = [
  "create_organization", "delete_organization", "get_tenant_connection", "get_tenant_connection_info", "has_org_role",
  "is_platform_operator", "org_ids_with_role", "request_tenant_deprovisioning", "request_tenant_health_check", "request_tenant_provisioning",
  "retry_tenant_provisioning",
];

async function registryFunctions() {
  return sql<{ schema: string; name: string; secdef: boolean; config: string[] | null; comment: string | null; anon: boolean; authenticated: boolean; service_role: boolean; public_exec: boolean; owner: string }[]>`
    select n.nspname as schema, p.proname as name, p.prosecdef as secdef, p.proconfig as config,
           obj_description(p.oid, 'pg_proc') as comment, pg_get_userbyid(p.proowner) as owner,
           has_function_privilege('anon', p.oid, 'execute') as anon,
           has_function_privilege('authenticated', p.oid, 'execute') as authenticated,
           has_function_privilege('service_role', p.oid, 'execute') as service_role,
           exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a where a.grantee = 0 and a.privilege_type = 'EXECUTE') as public_exec
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ('public', 'private')
    order by 1, 2`;
}

describe("registry schema hygiene", () => {
  it("has every registry table, each with RLS enabled and a comment", async () => {
    const tables = await sql<{ name: string; rls: boolean; comment: string | null }[]>`
      select c.relname as name, c.relrowsecurity as rls, obj_description(c.oid, 'pg_class') as comment
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by 1`;
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(REGISTRY_TABLES));
    for (const table of tables.filter((t) => REGISTRY_TABLES.includes(t.name))) {
      expect(table, table.name).toMatchObject({ rls: true, comment: expect.any(String) });
    }
  });

  it("gives API roles no direct write on any registry table, and anon nothing at all", async () => {
    const grants = await sql<{ grantee: string; table_name: string; privilege_type: string }[]>`
      select grantee, table_name, privilege_type from information_schema.role_table_grants
      where table_schema = 'public' and table_name = any(${REGISTRY_TABLES}) and grantee in ('anon', 'authenticated', 'service_role')`;
    expect(grants.filter((g) => g.privilege_type !== "SELECT")).toEqual([]);
    expect(grants.filter((g) => g.grantee === "anon")).toEqual([]);
    const columnGrants = await sql`select 1 from information_schema.column_privileges where table_schema = 'public' and table_name = any(${REGISTRY_TABLES}) and grantee in ('anon','authenticated','service_role') and privilege_type <> 'SELECT'`;
    expect(columnGrants).toEqual([]);
  });

  it("hides credentials and internals of tenant_databases from authenticated (column grants)", async () => {
    const visible = await sql<{ column_name: string }[]>`
      select column_name from information_schema.column_privileges
      where table_schema = 'public' and table_name = 'tenant_databases' and grantee = 'authenticated' and privilege_type = 'SELECT'`;
    const names = visible.map((c) => c.column_name);
    expect(names).toEqual(expect.arrayContaining(["status", "provisioning_status", "health_status"]));
    for (const hidden of ["owner_direct_secret_id", "owner_pooled_secret_id", "app_direct_secret_id", "app_pooled_secret_id", "connection_info", "lease_owner", "idempotency_key", "credentials_version", "neon_project_id"]) {
      expect(names).not.toContain(hidden);
    }
  });

  it("lets authenticated execute only the role-checking entry points; anon nothing; private nobody", async () => {
    const functions = await registryFunctions();
    const ours = functions.filter((f) => f.owner === "postgres");
    expect(ours.length).toBeGreaterThan(40);
    expect(ours.filter((f) => f.anon).map((f) => `${f.schema}.${f.name}`)).toEqual([]);
    expect(ours.filter((f) => f.public_exec).map((f) => `${f.schema}.${f.name}`)).toEqual([]);
    expect(ours.filter((f) => f.authenticated).map((f) => f.name).sort()).toEqual(AUTHENTICATED_FUNCTIONS);
    expect(ours.filter((f) => f.schema === "private" && (f.service_role || f.authenticated)).map((f) => f.name)).toEqual([]);
    const [usage] = await sql`select has_schema_privilege('anon', 'private', 'usage') as anon, has_schema_privilege('authenticated', 'private', 'usage') as authenticated, has_schema_privilege('service_role', 'private', 'usage') as service`;
    expect(usage).toEqual({ anon: false, authenticated: false, service: false });
  });

  it("every registry function has a comment; SECURITY DEFINER ones pin search_path = ''", async () => {
    const ours = (await registryFunctions()).filter((f) => f.owner === "postgres");
    expect(ours.filter((f) => !f.comment).map((f) => `${f.schema}.${f.name}`)).toEqual([]);
    const definers = ours.filter((f) => f.secdef);
    expect(definers.length).toBeGreaterThan(15);
    for (const f of definers) expect(f.config, `${f.schema}.${f.name}`).toEqual(['search_path=""']);
  });

  it("anon and authenticated cannot touch vault; no foreign key points into vault", async () => {
    const [vault] = await sql`select has_schema_privilege('anon', 'vault', 'usage') as anon, has_schema_privilege('authenticated', 'vault', 'usage') as authenticated`;
    expect(vault).toEqual({ anon: false, authenticated: false });
    const fks = await sql`select conname from pg_constraint where contype = 'f' and confrelid in (select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'vault')`;
    expect(fks).toEqual([]);
  });

  it("sequences of identity columns are not granted to API roles", async () => {
    const seqs = await sql`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'S'
        and (has_sequence_privilege('anon', c.oid, 'usage') or has_sequence_privilege('authenticated', c.oid, 'usage'))`;
    expect(seqs).toEqual([]);
  });
});
