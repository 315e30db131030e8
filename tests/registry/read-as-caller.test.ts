/**
 * `readAsCaller`: one round trip (begin read only, claims + role, the statements, commit) with the
 * same guarantees as `withCaller`. Each test tries to get around one of them.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connect, type Socket } from "node:net";
import postgres from "postgres";
import { readAsCaller, withCaller, type Sql } from "../../supabase/functions/_shared/db.ts";
import type { Queryable } from "../../supabase/functions/_shared/registry/types.ts";
import { getTenantHealth } from "../../supabase/functions/_shared/health/trend.ts";
import { tenantsOfOrganizations } from "../../supabase/functions/_shared/services/tenant-records.ts";
import { AppError } from "../../supabase/functions/_shared/errors.ts";
import { anonCaller, createOrg, createUser, registryClient, userCaller, type TestUser } from "./fixtures.ts";

let sql: Sql;
let owner: TestUser;
let outsider: TestUser;
let org: { id: string };

beforeAll(async () => {
  // One connection: every test also shows the connection comes back clean for the next one.
  sql = registryClient(1);
  owner = await createUser(sql, "rac-owner");
  outsider = await createUser(sql, "rac-outsider");
  org = await createOrg(sql, [[owner, "owner"]], "rac");
});
afterAll(async () => {
  await sql.end();
});

const session = (tx: Queryable) => tx<{ role: string; uid: string | null; read_only: string }[]>`
  select current_user as role, auth.uid() as uid, current_setting('transaction_read_only') as read_only`;

/** A one-connection client (prepared statements, as createSqlClient) whose socket counts writes. */
function countingClient(): { sql: Sql; writes: () => number } {
  let writes = 0;
  const url = new URL(inject("dbUrl"));
  // `socket` (a connected socket factory) is a postgres.js option its types do not list.
  const sql = postgres(inject("dbUrl"), {
    max: 1, prepare: true, onnotice: () => {},
    socket: () => new Promise<Socket>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => resolve(socket)).once("error", reject);
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = ((...args: unknown[]) => (writes++, write(...args))) as typeof socket.write;
    }),
  } as postgres.Options<Record<string, never>>);
  return { sql, writes: () => writes };
}

describe("readAsCaller", () => {
  it("runs the statements as the caller (role, auth.uid()) in a read-only transaction", async () => {
    const [row] = await readAsCaller(sql, userCaller(owner), (tx) => session(tx));
    expect(row).toMatchObject({ role: "authenticated", uid: owner.id, read_only: "on" });
  });

  it("sends begin, claims, the statements and commit in one write once the statements are prepared", async () => {
    const client = countingClient();
    try {
      const read = () => readAsCaller(client.sql, userCaller(owner), (tx) => Promise.all([session(tx), getTenantHealth(tx, org.id, { trendHours: 24 }), tenantsOfOrganizations(tx, [org.id])]));
      await read(); // first use: postgres.js describes each new statement once
      const before = client.writes();
      const [[row]] = await read();
      expect(client.writes() - before).toBe(1);
      expect(row).toMatchObject({ role: "authenticated", uid: owner.id });
    } finally {
      await client.sql.end();
    }
  });

  it("runs every statement in the one transaction", async () => {
    const [a, b] = await readAsCaller(sql, userCaller(owner), (tx) => Promise.all([
      tx<{ at: Date; pid: number }[]>`select now() as at, pg_backend_pid() as pid`,
      tx<{ at: Date; pid: number }[]>`select now() as at, pg_backend_pid() as pid`,
    ]));
    expect(a![0]!.at.getTime()).toBe(b![0]!.at.getTime());
    expect(a![0]!.pid).toBe(b![0]!.pid);
  });

  it("RLS and grants decide: the owner sees the tenant, an outsider nothing, anonymous is refused", async () => {
    await sql`insert into public.tenant_databases (organization_id, region, plan, compute_size, strategy)
              values (${org.id}, 'aws-us-east-2', 'starter', 's', 'project')`;
    const mine = await readAsCaller(sql, userCaller(owner), (tx) => getTenantHealth(tx, org.id, { trendHours: 24 }));
    expect(mine?.organizationId).toBe(org.id);
    expect(await readAsCaller(sql, userCaller(outsider), (tx) => getTenantHealth(tx, org.id, { trendHours: 24 }))).toBeNull();
    await expect(readAsCaller(sql, anonCaller, (tx) => getTenantHealth(tx, org.id, { trendHours: 24 }))).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses writes (read-only transaction) and leaves nothing behind", async () => {
    const attempt = readAsCaller(sql, userCaller(owner), (tx) => tx`update public.organizations set name = 'hijacked' where id = ${org.id}`);
    await expect(attempt).rejects.toMatchObject({ code: "25006" });
    const [row] = await sql<{ name: string }[]>`select name from public.organizations where id = ${org.id}`;
    expect(row!.name).not.toBe("hijacked");
  });

  it("refuses a statement issued after the first await (it would run outside the transaction)", async () => {
    const attempt = readAsCaller(sql, userCaller(owner), async (tx) => {
      await tx`select 1`;
      return await tx`select current_user as role`;
    });
    await expect(attempt).rejects.toThrow(/before the first await/);
  });

  it("a failing statement fails the read and rolls back; the connection is clean afterwards", async () => {
    await expect(readAsCaller(sql, userCaller(owner), (tx) => tx`select 1 / 0`)).rejects.toMatchObject({ code: "22012" });
    const [after] = await sql<{ role: string; claims: string | null; status: string }[]>`
      select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims,
             case when txid_current_if_assigned() is null then 'idle' else 'in transaction' end as status`;
    expect(after).toEqual({ role: "postgres", claims: null, status: "idle" });
  });

  it("maps policy refusals like withCaller (42501 → FORBIDDEN AppError)", async () => {
    const read = (run: typeof readAsCaller | typeof withCaller) =>
      run(sql, userCaller(owner), (tx) => tx`select * from vault.decrypted_secrets limit 1`).catch((error: unknown) => error);
    const [pipelined, stepwise] = await Promise.all([read(readAsCaller), read(withCaller)]);
    expect(pipelined).toBeInstanceOf(AppError);
    expect((pipelined as AppError).code).toBe("FORBIDDEN");
    expect((stepwise as AppError).code).toBe("FORBIDDEN");
  });
});
