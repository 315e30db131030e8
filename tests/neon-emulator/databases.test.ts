/**
 * The real databases behind the API: URIs work with `postgres`, `neon()` and
 * `Pool`; a branch of a schema template carries its tables; roles and
 * databases created through the API exist; deletion really removes them;
 * tenants are isolated; state survives an emulator restart.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { neon, Pool } from "@neondatabase/serverless";
import type { Api } from "@neondatabase/api-client";
import { EndpointType } from "@neondatabase/api-client";
import {
  apiClient, apiFailure, asSuperuser, startTestEmulator, startTestPostgres, useEmulatorForServerlessDriver, waitForOperations, withUri,
  type TestEmulator, type TestServer,
} from "./setup.ts";

let server: TestServer;
let emulator: TestEmulator;
let api: Api<unknown>;
const stateDatabase = `neon_emulator_test_db_${process.pid}`;

beforeAll(async () => {
  server = await startTestPostgres();
  emulator = await startTestEmulator(server, { operationDurationMs: 30, stateDatabase });
  api = apiClient(emulator);
  useEmulatorForServerlessDriver(emulator);
}, 120_000);

afterAll(async () => {
  await emulator?.dispose();
  await server?.stop();
});

/** Creates a project the way the product does and waits for its operations. */
async function newProject(name: string) {
  const { data } = await api.createProject({
    project: { name, region_id: "aws-us-east-2", pg_version: 17, default_endpoint_settings: { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 1, suspend_timeout_seconds: 300 } },
  });
  await waitForOperations(api, data.project.id, data.operations);
  return data;
}

const physicalDatabases = (names: string[]) =>
  asSuperuser(server, async (sql) => (await sql<{ datname: string }[]>`select datname from pg_database where datname = any(${names})`).map((r) => r.datname));
const physicalRoles = (names: string[]) =>
  asSuperuser(server, async (sql) => (await sql<{ rolname: string }[]>`select rolname from pg_roles where rolname = any(${names})`).map((r) => r.rolname));

describe("connection URIs", () => {
  it("connect with postgres (TLS), neon() over HTTP (single and batch) and Pool over WebSocket", async () => {
    const project = await newProject("uri-check");
    const uri = project.connection_uris[0]!.connection_uri;
    const params = project.connection_uris[0]!.connection_parameters;

    const direct = await withUri(uri, (sql) => sql`select current_user as u, current_database() as d, (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as ssl`);
    expect(direct[0]).toEqual({ u: params.role, d: params.database, ssl: true });
    // Built Neon's way from connection_parameters (host carries the port), it works too.
    const built = `postgresql://${params.role}:${params.password}@${params.host}/${params.database}?sslmode=require`;
    expect(await withUri(built, (sql) => sql`select 1 as one`)).toEqual([{ one: 1 }]);

    const sql = neon(uri);
    await sql`create table items (id int primary key, label text, created timestamptz default now())`;
    const inserted = await sql.query("insert into items (id, label) values ($1, $2), ($3, $4) returning id", [1, "a", 2, "b"], { fullResults: true });
    expect(inserted).toMatchObject({ command: "INSERT", rowCount: 2 });
    const rows = await sql`select id, label, created from items where id = ${2}`;
    expect(rows).toEqual([{ id: 2, label: "b", created: expect.any(Date) }]);
    const [count, max] = await sql.transaction([sql`select count(*)::int as n from items`, sql`select max(id) as m from items`], { isolationLevel: "Serializable", readOnly: true });
    expect(count).toEqual([{ n: 2 }]);
    expect(max).toEqual([{ m: 2 }]);
    const failed = await sql`select * from no_such_table`.then(() => undefined, (e: Error & { code?: string }) => e);
    expect(failed?.code).toBe("42P01");
    // A batch is one transaction: a failing statement rolls back the others.
    await expect(sql.transaction([sql`insert into items (id, label) values (3, 'c')`, sql`select 1/0`])).rejects.toThrow(/division by zero/);
    expect(await sql`select count(*)::int as n from items`).toEqual([{ n: 2 }]);

    const pool = new Pool({ connectionString: uri });
    try {
      const { rows: viaPool } = await pool.query("select label from items order by id");
      expect(viaPool).toEqual([{ label: "a" }, { label: "b" }]);
      const client = await pool.connect();
      await client.query("begin");
      await client.query("insert into items (id, label) values (3, 'c')");
      await client.query("commit");
      client.release();
    } finally {
      await pool.end();
    }
    expect(await sql`select count(*)::int as n from items`).toEqual([{ n: 3 }]);

    const wrong = neon(uri.replace(params.password, "npg_wrongpassword"));
    await expect(wrong`select 1`).rejects.toThrow(/password authentication failed/);
  });

  it("getConnectionUri, created roles and databases, and password resets are real", async () => {
    const project = await newProject("roles-dbs");
    const projectId = project.project.id;
    const branchId = project.branch.id;
    const role = await api.createProjectBranchRole(projectId, branchId, { role: { name: "app_user" } });
    await waitForOperations(api, projectId, role.data.operations);
    const db = await api.createProjectBranchDatabase(projectId, branchId, { database: { name: "reports", owner_name: "app_user" } });
    await waitForOperations(api, projectId, db.data.operations);

    const { data } = await api.getConnectionUri({ projectId, database_name: "reports", role_name: "app_user" });
    expect(await withUri(data.uri, (sql) => sql`select current_user as u`)).toEqual([{ u: expect.stringMatching(/^app_user_/) }]);
    // The new role may connect to the branch's other databases too, as on Neon.
    const { data: other } = await api.getConnectionUri({ projectId, database_name: "neondb", role_name: "app_user" });
    await withUri(other.uri, (sql) => sql`select 1`);

    const reset = await api.resetProjectBranchRolePassword(projectId, branchId, "app_user");
    await waitForOperations(api, projectId, reset.data.operations);
    await expect(withUri(data.uri, (sql) => sql`select 1`)).rejects.toThrow(/password authentication failed/);
    await expect(neon(data.uri)`select 1`).rejects.toThrow(/password authentication failed/);
    const { data: fresh } = await api.getConnectionUri({ projectId, database_name: "reports", role_name: "app_user" });
    expect(fresh.uri).toContain(reset.data.role.password!);
    expect(await neon(fresh.uri)`select 1 as one`).toEqual([{ one: 1 }]);
  });

  it("keeps tenants apart: one project's role cannot open another project's database", async () => {
    const a = await newProject("isolated-a");
    const b = await newProject("isolated-b");
    const pa = a.connection_uris[0]!.connection_parameters;
    const pb = b.connection_uris[0]!.connection_parameters;
    const crossed = `postgresql://${pa.role}:${pa.password}@${pb.host}/${pb.database}?sslmode=require`;
    await expect(withUri(crossed, (sql) => sql`select 1`)).rejects.toThrow(/permission denied/);
  });
});

describe("branches", () => {
  it("a branch of a schema template carries its tables and data; schema-only carries tables without rows", async () => {
    const template = await newProject("schema-template");
    const projectId = template.project.id;
    await withUri(template.connection_uris[0]!.connection_uri, async (sql) => {
      await sql`create table tenants_config (key text primary key, value text)`;
      await sql`create table events (id bigint generated always as identity primary key, kind text not null)`;
      await sql`insert into tenants_config values ('plan', 'pro')`;
      await sql`insert into events (kind) values ('created'), ('migrated')`;
    });

    const { data: full } = await api.createProjectBranch(projectId, {
      branch: { name: "tenant-full", parent_id: template.branch.id },
      endpoints: [{ type: EndpointType.ReadWrite }],
    });
    await waitForOperations(api, projectId, full.operations);
    const fullUri = full.connection_uris![0]!.connection_uri;
    expect(await withUri(fullUri, (sql) => sql`select value from tenants_config`)).toEqual([{ value: "pro" }]);
    // Objects belong to the branch's own role, so the tenant can change its schema.
    await withUri(fullUri, (sql) => sql`alter table events add column at timestamptz`);
    expect(await neon(fullUri)`select count(*)::int as n from events`).toEqual([{ n: 2 }]);
    // Branch roles keep the parent's password (Neon's default), under their own login.
    expect(full.connection_uris![0]!.connection_parameters.password).toBe(template.connection_uris[0]!.connection_parameters.password);
    expect(full.connection_uris![0]!.connection_parameters.role).not.toBe(template.connection_uris[0]!.connection_parameters.role);

    const { data: schemaOnly } = await api.createProjectBranch(projectId, {
      branch: { name: "tenant-schema-only", parent_id: template.branch.id, init_source: "schema-only" },
      endpoints: [{ type: EndpointType.ReadWrite }],
    });
    await waitForOperations(api, projectId, schemaOnly.operations);
    expect(schemaOnly.branch).toMatchObject({ init_source: "schema-only" });
    expect(schemaOnly.branch.parent_id).toBeUndefined();
    await withUri(schemaOnly.connection_uris![0]!.connection_uri, async (sql) => {
      expect(await sql`select count(*)::int as n from events`).toEqual([{ n: 0 }]);
      // Identity restarted with the data.
      expect(await sql`insert into events (kind) values ('first') returning id`).toEqual([{ id: "1" }]);
    });
    // The template itself is untouched.
    expect(await withUri(template.connection_uris[0]!.connection_uri, (sql) => sql`select count(*)::int as n from events`)).toEqual([{ n: 2 }]);
  });

  it("deleting a branch or a project removes its databases and roles for real", async () => {
    const project = await newProject("deleted-tenant");
    const projectId = project.project.id;
    const { data: branch } = await api.createProjectBranch(projectId, { branch: { name: "to-delete" }, endpoints: [{ type: EndpointType.ReadWrite }] });
    await waitForOperations(api, projectId, branch.operations);
    const branchParams = branch.connection_uris![0]!.connection_parameters;
    const mainParams = project.connection_uris[0]!.connection_parameters;
    expect(await physicalDatabases([branchParams.database, mainParams.database])).toHaveLength(2);

    // An open session does not stop the deletion (it is ended, as Neon ends them).
    const open = await withUri(branch.connection_uris![0]!.connection_uri, async (sql) => {
      await sql`select 1`;
      const deleted = await api.deleteProjectBranch({ projectId, branchId: branch.branch.id });
      expect(deleted.status).toBe(200);
      return sql`select 1`.then(() => "still open", () => "ended");
    });
    expect(open).toBe("ended");
    expect(await physicalDatabases([branchParams.database])).toEqual([]);
    expect(await physicalRoles([branchParams.role])).toEqual([]);
    expect((await apiFailure(api.getProjectBranch(projectId, branch.branch.id))).status).toBe(404);
    expect((await api.deleteProjectBranch({ projectId, branchId: branch.branch.id })).status).toBe(204);
    await expect(withUri(branch.connection_uris![0]!.connection_uri, (sql) => sql`select 1`)).rejects.toThrow();

    await api.deleteProject(projectId);
    expect(await physicalDatabases([mainParams.database])).toEqual([]);
    expect(await physicalRoles([mainParams.role])).toEqual([]);
    expect((await apiFailure(api.getProject(projectId))).status).toBe(404);
    expect((await api.listProjects({ search: projectId })).data.projects).toEqual([]);
    await expect(neon(project.connection_uris[0]!.connection_uri)`select 1`).rejects.toThrow();
  });

  it("refuses to delete the default branch or a branch with children (422)", async () => {
    const project = await newProject("protected-branches");
    const projectId = project.project.id;
    expect((await apiFailure(api.deleteProjectBranch({ projectId, branchId: project.branch.id }))).status).toBe(422);
    const { data: parent } = await api.createProjectBranch(projectId, { branch: { name: "parent" } });
    await waitForOperations(api, projectId, parent.operations);
    const { data: child } = await api.createProjectBranch(projectId, { branch: { name: "child", parent_id: parent.branch.id } });
    await waitForOperations(api, projectId, child.operations);
    expect((await apiFailure(api.deleteProjectBranch({ projectId, branchId: parent.branch.id }))).status).toBe(422);
  });
});

describe("persistence", () => {
  it("keeps projects, branches and credentials across an emulator restart", async () => {
    const project = await newProject("survivor");
    const uri = project.connection_uris[0]!.connection_uri;
    await emulator.stop();
    emulator = await startTestEmulator(server, { operationDurationMs: 30, stateDatabase });
    api = apiClient(emulator);
    useEmulatorForServerlessDriver(emulator);
    expect(emulator.logs.join("\n")).toMatch(/restored \d+ project/);

    const { data } = await api.listProjects({ search: "survivor" });
    expect(data.projects.map((p) => p.id)).toEqual([project.project.id]);
    const { data: again } = await api.getConnectionUri({ projectId: project.project.id, database_name: "neondb", role_name: "neondb_owner" });
    expect(again.uri).toBe(uri);
    expect(await neon(uri)`select 1 as one`).toEqual([{ one: 1 }]);
    // Operations survive too, with their final status.
    expect((await api.getProjectOperation(project.project.id, project.operations[0]!.id)).data.operation.status).toBe("finished");
  });
});
