/**
 * The tenant-schema runner against real, throwaway tenant databases on the test cluster (one per
 * test, owned by a non-superuser owner role as on Neon): idempotent runs, concurrent runners,
 * tampered and unknown migrations, rollback of a failing migration, lock timeout, the seed, and
 * the schema's own rules.
 */
import { describe, it, expect, beforeEach, afterEach, inject } from "vitest";
import postgres from "postgres";
import { applyTenantMigrations, applyTenantSeed, tenantSchema, TenantSchemaError, TENANT_SCHEMA_LOCK_KEY, type AppliedMigration, type TenantMigration } from "../../supabase/functions/_shared/tenant-schema/index.ts";
import { sha256 } from "../../tenant-schema/build.ts";
import { createTenantDb, type TenantDb } from "./tenant-db.ts";

const migration = (version: string, name: string, sql: string): TenantMigration => ({ version, name, sql, checksum: sha256(sql) });
const now = () => new Date();

let db: TenantDb;
let owner: postgres.Sql;
beforeEach(async () => {
  db = await createTenantDb(inject("superuserUrl"));
  owner = db.connect("owner");
});
afterEach(() => db.drop());

async function failure(promise: Promise<unknown>): Promise<TenantSchemaError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TenantSchemaError);
  return error as TenantSchemaError;
}

const versions = (records: readonly AppliedMigration[]) => records.map((r) => r.version);

describe("tenant migrations", () => {
  it("applies every migration once, records it, and a second run applies nothing", async () => {
    const recorded: AppliedMigration[] = [];
    const first = await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations, now, onApplied: async (r) => void recorded.push(r) });

    expect(versions(first.applied)).toEqual(["0001", "0002"]);
    expect(first.currentVersion).toBe(tenantSchema.latestVersion);
    expect(recorded).toEqual(first.applied);
    expect(first.applied[0]).toMatchObject({ name: "core_commerce", checksum: tenantSchema.migrations[0]!.checksum });
    const tables = await owner<{ table_name: string }[]>`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
    expect(tables.map((t) => t.table_name)).toEqual([
      "categories", "customers", "order_items", "orders", "permissions", "products", "role_permissions", "roles", "schema_migrations", "staff_members", "store_settings",
    ]);

    const second = await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations, now, onApplied: async (r) => void recorded.push(r) });
    expect(second.applied).toEqual([]);
    expect(second.currentVersion).toBe("0002");
    expect(versions(second.history)).toEqual(["0001", "0002"]);
    expect(recorded).toHaveLength(2);
  });

  it("lets two concurrent runners apply each migration exactly once: the second waits, then finds nothing to do", async () => {
    const slow = [
      migration("0001", "slow_start", "select pg_sleep(0.3); create table public.widgets (id int primary key);"),
      migration("0002", "more", "alter table public.widgets add column name text;"),
    ];
    const results = await Promise.all([
      applyTenantMigrations({ sql: db.connect("owner"), migrations: slow, now }),
      applyTenantMigrations({ sql: db.connect("owner"), migrations: slow, now }),
    ]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 2]);
    expect(results.map((r) => r.currentVersion)).toEqual(["0002", "0002"]);
    const [row] = await owner<{ count: number }[]>`select count(*)::int as count from public.schema_migrations`;
    expect(row?.count).toBe(2);
  });

  it("refuses a migration that was changed after it was applied, and applies nothing", async () => {
    await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations.slice(0, 1), now });
    const tampered = [
      migration("0001", "core_commerce", `${tenantSchema.migrations[0]!.sql}\n-- an innocent-looking edit\n`),
      tenantSchema.migrations[1]!,
    ];
    const error = await failure(applyTenantMigrations({ sql: owner, migrations: tampered, now }));
    expect(error).toMatchObject({ kind: "checksum_mismatch", subject: "0001" });
    expect(error.message).toMatch(/append-only.*new migration/);
    const rows = await owner`select version from public.schema_migrations`;
    expect(rows).toHaveLength(1);
  });

  it("refuses a database that has a migration this build does not contain", async () => {
    await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations, now });
    const error = await failure(applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations.slice(0, 1), now }));
    expect(error).toMatchObject({ kind: "unknown_version", subject: "0002" });
  });

  it("rolls a failing migration back on its own and stays at the last good version", async () => {
    const applied: string[] = [];
    const broken = [
      migration("0001", "good", "create table public.good (id int);"),
      migration("0002", "bad", "create table public.half_done (id int); select 1 / 0;"),
      migration("0003", "never", "create table public.never (id int);"),
    ];
    const error = await failure(applyTenantMigrations({ sql: owner, migrations: broken, now, onApplied: async (r) => void applied.push(r.version) }));
    expect(error).toMatchObject({ kind: "migration_failed", subject: "0002", sqlstate: "22012" });
    expect(applied).toEqual(["0001"]);
    const [state] = await owner`select to_regclass('public.good') is not null as good, to_regclass('public.half_done') is not null as half, to_regclass('public.never') is not null as never, (select array_agg(version) from public.schema_migrations) as versions`;
    expect(state).toEqual({ good: true, half: false, never: false, versions: ["0001"] });
  });

  it("gives up waiting for another runner after lockTimeoutMs and leaves the connection clean", async () => {
    const holder = await db.connect("owner").reserve();
    await holder.unsafe(`select pg_advisory_lock(${TENANT_SCHEMA_LOCK_KEY})`);
    try {
      const single = db.connect("owner", { max: 1 });
      const error = await failure(applyTenantMigrations({ sql: single, migrations: tenantSchema.migrations, now, lockTimeoutMs: 200 }));
      expect(error.kind).toBe("lock_timeout");
      const [setting] = await single`select current_setting('lock_timeout') as value, (select count(*)::int from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()) as held`;
      expect(setting).toEqual({ value: "0", held: 0 });
    } finally {
      await holder.unsafe(`select pg_advisory_unlock(${TENANT_SCHEMA_LOCK_KEY})`);
      holder.release();
    }
    expect((await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations, now })).applied).toHaveLength(2);
  });
});

describe("tenant seed", () => {
  it("needs the schema first", async () => {
    expect((await failure(applyTenantSeed({ sql: owner, seed: tenantSchema.seed, now }))).kind).toBe("not_migrated");
  });

  it("applies each seed file once; later runs leave the store's own changes alone", async () => {
    await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations, now });
    const first = await applyTenantSeed({ sql: owner, seed: tenantSchema.seed, now });
    expect(first).toEqual({ applied: tenantSchema.seed.map((s) => s.name), skipped: [], changed: [] });

    const roles = await owner<{ key: string; permissions: number }[]>`
      select r.key, count(rp.permission_key)::int as permissions from public.roles r
      left join public.role_permissions rp on rp.role_key = r.key group by r.key order by r.key`;
    expect(roles).toEqual([{ key: "staff", permissions: 7 }, { key: "store_admin", permissions: 9 }, { key: "viewer", permissions: 4 }]);
    const [currency] = await owner`select value from public.store_settings where key = 'store.currency'`;
    expect(currency).toEqual({ value: "EUR" });

    // The store removes a default category and renames its currency; re-seeding must not undo that.
    await owner`delete from public.categories where slug = 'sale'`;
    await owner`update public.store_settings set value = '"USD"' where key = 'store.currency'`;
    const edited = tenantSchema.seed.map((s, i) => (i === 0 ? { ...s, sql: `${s.sql}\n-- edited`, checksum: sha256(`${s.sql}\n-- edited`) } : s));
    const second = await applyTenantSeed({ sql: owner, seed: edited, now });
    expect(second).toEqual({ applied: [], skipped: tenantSchema.seed.map((s) => s.name), changed: [tenantSchema.seed[0]!.name] });
    const [after] = await owner`select (select count(*)::int from public.categories where slug = 'sale') as sale, (select value from public.store_settings where key = 'store.currency') as currency`;
    expect(after).toEqual({ sale: 0, currency: "USD" });
  });

  it("seed SQL is idempotent on its own (a lost schema_seeds record is harmless)", async () => {
    await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations, now });
    for (const file of [...tenantSchema.seed, ...tenantSchema.seed]) await owner.unsafe(file.sql);
    const [counts] = await owner`select (select count(*)::int from public.roles) as roles, (select count(*)::int from public.categories) as categories, (select count(*)::int from public.role_permissions) as grants`;
    expect(counts).toEqual({ roles: 3, categories: 3, grants: 20 });
  });
});

describe("tenant schema rules", () => {
  beforeEach(async () => {
    await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations, now });
    await applyTenantSeed({ sql: owner, seed: tenantSchema.seed, now });
  });

  it("takes a realistic order and keeps line and order totals consistent", async () => {
    const [product] = await owner`
      insert into public.products (category_id, sku, name, slug, price, status, stock_quantity)
      values ((select id from public.categories where slug = 'new-arrivals'), 'MUG-1', 'Mug', 'mug', 12.50, 'active', 10)
      returning id`;
    const [customer] = await owner`insert into public.customers (email, first_name) values ('Ann@Example.com', 'Ann') returning id`;
    const [order] = await owner`
      insert into public.orders (customer_id, email, subtotal_amount, shipping_amount, tax_amount, total_amount)
      values (${customer!.id}, 'ann@example.com', 25.00, 4.95, 5.25, 35.20) returning id, order_number, status`;
    expect(order).toMatchObject({ order_number: "1001", status: "pending" });
    const [item] = await owner`insert into public.order_items (order_id, product_id, sku, product_name, quantity, unit_price) values (${order!.id}, ${product!.id}, 'MUG-1', 'Mug', 2, 12.50) returning total_price`;
    expect(item).toEqual({ total_price: "25.00" });

    // Deleting the product keeps the order line (snapshot), deleting the order removes its lines.
    await owner`delete from public.products where id = ${product!.id}`;
    const [line] = await owner`select product_id, product_name from public.order_items where order_id = ${order!.id}`;
    expect(line).toEqual({ product_id: null, product_name: "Mug" });
    const [touched] = await owner`update public.orders set status = 'paid' where id = ${order!.id} returning updated_at > created_at as touched`;
    expect(touched).toEqual({ touched: true });
  });

  it("refuses inconsistent data", async () => {
    const refused = async (query: Promise<unknown>) => (await query.then(() => "accepted", (e: { code?: string }) => e.code));
    expect(await refused(owner`insert into public.products (name, slug, price) values ('X', 'x', -1)`)).toBe("23514");
    expect(await refused(owner`insert into public.products (name, slug, price) values ('X', 'Not A Slug', 1)`)).toBe("23514");
    expect(await refused(owner`insert into public.orders (email, subtotal_amount, total_amount) values ('a@b.c', 10, 12)`)).toBe("23514");
    await owner`insert into public.customers (email) values ('dup@example.com')`;
    expect(await refused(owner`insert into public.customers (email) values ('DUP@example.com')`)).toBe("23505");
    expect(await refused(owner`insert into public.store_settings (key, value) values ('Bad Key', '1')`)).toBe("23514");
    // Default roles stay; a custom role in use cannot be deleted under its members.
    expect(await refused(owner`delete from public.roles where key = 'staff'`)).toBe("23001");
    expect(await refused(owner`update public.roles set key = 'staffers' where key = 'staff'`)).toBe("23001");
    await owner`update public.roles set name = 'Shop staff' where key = 'staff'`;
    await owner`insert into public.roles (key, name) values ('packer', 'Packer')`;
    await owner`insert into public.staff_members (user_id, role_key, email) values (gen_random_uuid(), 'packer', 'p@example.com')`;
    expect(await refused(owner`delete from public.roles where key = 'packer'`)).toBe("23001");
  });
});
