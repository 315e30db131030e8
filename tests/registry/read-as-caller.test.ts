/**
 * `readAsCaller`: `begin read only`, claims + role and the first statements in one write, `commit`
 * once the statements are answered; the same guarantees as `withCaller`. Each test tries to get
 * around one of them.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connect, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { readAsCaller, withCaller, type Sql } from "../../supabase/functions/_shared/db.ts";
import type { Queryable } from "../../supabase/functions/_shared/registry/types.ts";
import { getTenantHealth } from "../../supabase/functions/_shared/health/trend.ts";
import { tenantsOfOrganizations } from "../../supabase/functions/_shared/services/tenant-records.ts";
import { AppError } from "../../supabase/functions/_shared/errors.ts";
import { anonCaller, createOrg, createUser, registryClient, superuserClient, userCaller, type TestUser } from "./fixtures.ts";

let sql: Sql;
let superuser: Sql;
let owner: TestUser;
let outsider: TestUser;
let org: { id: string };

beforeAll(async () => {
  // One connection: every test also shows the connection comes back clean for the next one.
  sql = registryClient(1);
  superuser = superuserClient();
  owner = await createUser(sql, "rac-owner");
  outsider = await createUser(sql, "rac-outsider");
  org = await createOrg(sql, [[owner, "owner"]], "rac");
  await sql`insert into public.tenant_databases (organization_id, region, plan, compute_size, strategy)
            values (${org.id}, 'aws-us-east-2', 'starter', 's', 'project')`;
});
afterAll(async () => {
  await sql.end();
  await superuser.end();
});

const session = (tx: Queryable) => tx<{ role: string; uid: string | null; read_only: string }[]>`
  select current_user as role, auth.uid() as uid, current_setting('transaction_read_only') as read_only`;

/** The connection's state between transactions: back to `postgres`, no claims, no transaction. */
async function expectClean(client: Sql) {
  const [after] = await client<{ role: string; claims: string | null; read_only: string }[]>`
    select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims,
           current_setting('transaction_read_only') as read_only`;
  expect(after).toEqual({ role: "postgres", claims: null, read_only: "off" });
}

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
    await expectClean(sql);
  });

  it("sends begin, claims and the statements in one write and commit in a second, once statements are prepared", async () => {
    const client = countingClient();
    try {
      const read = () => readAsCaller(client.sql, userCaller(owner), (tx) => Promise.all([session(tx), getTenantHealth(tx, org.id, { trendHours: 24 }), tenantsOfOrganizations(tx, [org.id])]));
      await read(); // first use: postgres.js describes each new statement once
      const before = client.writes();
      const [[row], health, tenants] = await read();
      expect(client.writes() - before).toBe(2);
      expect(row).toMatchObject({ role: "authenticated", uid: owner.id });
      expect(health?.organizationId).toBe(org.id);
      expect(tenants.map((t) => t.organizationId)).toEqual([org.id]);
    } finally {
      await client.sql.end();
    }
  });

  it("runs every statement in the one transaction, including one sent after an await", async () => {
    const [a, b] = await readAsCaller(sql, userCaller(owner), async (tx) => {
      const [first] = await tx<{ at: Date; pid: number }[]>`select now() as at, pg_backend_pid() as pid`;
      const [second] = await tx<{ at: Date; pid: number; role: string }[]>`select now() as at, pg_backend_pid() as pid, current_user as role`;
      return [first!, second!] as const;
    });
    expect(b.at.getTime()).toBe(a.at.getTime());
    expect(b.pid).toBe(a.pid);
    expect(b.role).toBe("authenticated");
  });

  it("RLS and grants decide: the owner sees the tenant, an outsider nothing, anonymous is refused", async () => {
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
    await expectClean(sql);
  });

  it("a statement whose cached plan went stale never runs outside the transaction (no other user's rows)", async () => {
    // postgres.js re-sends such a statement at the end of the pipeline; it must not overtake commit.
    const table = `rac_probe.rows_${randomBytes(4).toString("hex")}`;
    await superuser.unsafe(`
      create schema if not exists rac_probe;
      grant usage on schema rac_probe to authenticated;
      create table ${table} (owner uuid not null, v int not null);
      alter table ${table} enable row level security;
      create policy own_rows on ${table} for select to authenticated using (owner = auth.uid());
      grant select on ${table} to authenticated;
      insert into ${table} values ('${owner.id}', 1), ('${outsider.id}', 2);`);
    const read = () => readAsCaller(sql, userCaller(owner), (tx) => tx.unsafe<{ owner: string; v: number }[]>(`select * from ${table} where v > $1`, [0], { prepare: true }));
    expect((await read()).map((r) => r.owner)).toEqual([owner.id]);
    expect((await read()).map((r) => r.owner)).toEqual([owner.id]);
    await superuser.unsafe(`alter table ${table} alter column v type bigint`);
    const after = await read().then((rows) => rows.map((r) => r.owner), (error: unknown) => error);
    if (Array.isArray(after)) expect(after).toEqual([owner.id]);
    else expect(after).toBeInstanceOf(Error);
    await expectClean(sql);
    expect((await read()).map((r) => r.owner)).toEqual([owner.id]);
  });

  it("a failing statement fails the read and rolls back; the connection is clean afterwards", async () => {
    await expect(readAsCaller(sql, userCaller(owner), (tx) => tx`select 1 / 0`)).rejects.toMatchObject({ code: "22012" });
    await expectClean(sql);
  });

  it("a failure the callback swallows still voids the read (the transaction rolled back)", async () => {
    const attempt = readAsCaller(sql, userCaller(owner), async (tx) => {
      await tx`select 1 / 0`.catch(() => null);
      return "looks fine";
    });
    await expect(attempt).rejects.toThrow(/rolled back/);
    await expectClean(sql);
  });

  it("leaves no unhandled rejection when the callback abandons a query it created", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const attempt = readAsCaller(sql, userCaller(owner), async (tx) => {
        const failing = tx`select 1 / 0`;
        const abandoned = tx`select 2`;
        await failing;
        return await abandoned;
      });
      await expect(attempt).rejects.toMatchObject({ code: "22012" });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    await expectClean(sql);
  });

  it("refuses an undefined parameter at once instead of hanging the pipeline", async () => {
    await expect(readAsCaller(sql, userCaller(owner), (tx) => tx`select ${undefined as unknown as string}::text`)).rejects.toMatchObject({ code: "UNDEFINED_VALUE" });
    await expect(readAsCaller(sql, userCaller(owner), (tx) => tx.unsafe("select $1::text", [undefined as unknown as string]))).rejects.toMatchObject({ code: "UNDEFINED_VALUE" });
    await expectClean(sql);
  });

  it("keeps query fragments working (they are parts of a statement, not statements)", async () => {
    const [row] = await readAsCaller(sql, userCaller(owner), (tx) => tx<{ one: number }[]>`select 1 as one where ${tx`true`}`);
    expect(row!.one).toBe(1);
  });

  it("refuses the connection once the callback has returned (it would run outside any transaction)", async () => {
    let kept: Sql | undefined;
    await readAsCaller(sql, userCaller(owner), async (tx) => {
      kept = tx as unknown as Sql;
      return await tx`select 1`;
    });
    expect(() => kept!`select current_user`).toThrow(/transaction has ended/);
    expect(() => kept!.unsafe("select current_user")).toThrow(/transaction has ended/);
    expect(() => kept!.file("/dev/null")).toThrow(/transaction has ended/);
    await expectClean(sql);
  });

  it("maps policy refusals like withCaller (42501 → FORBIDDEN AppError)", async () => {
    const read = (run: typeof readAsCaller | typeof withCaller) =>
      run(sql, userCaller(owner), (tx) => tx`select * from vault.decrypted_secrets limit 1`).catch((error: unknown) => error);
    const pipelined = await read(readAsCaller);
    const stepwise = await read(withCaller);
    expect(pipelined).toBeInstanceOf(AppError);
    expect((pipelined as AppError).code).toBe("FORBIDDEN");
    expect((stepwise as AppError).code).toBe("FORBIDDEN");
  });
});
