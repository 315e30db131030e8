/**
 * The least-privilege app role on a real tenant database: row access yes, DDL and schema ledgers
 * no, and tables from later migrations covered by default privileges.
 */
import { describe, it, expect, beforeEach, afterEach, inject } from "vitest";
import postgres from "postgres";
import { applyTenantMigrations, applyTenantSeed, grantAppRole, tenantSchema } from "../../supabase/functions/_shared/tenant-schema/index.ts";
import { sha256 } from "../../tenant-schema/build.ts";
import { createTenantDb, type TenantDb } from "./tenant-db.ts";

const now = () => new Date();

let db: TenantDb;
let owner: postgres.Sql;
beforeEach(async () => {
  db = await createTenantDb(inject("superuserUrl"));
  owner = db.connect("owner");
});
afterEach(() => db.drop());

/** The SQLSTATE a statement fails with, or "ok". */
const outcome = (query: Promise<unknown>) => query.then(() => "ok", (e: { code?: string }) => e.code ?? String(e));

describe("grantAppRole", () => {
  it("lets the app role read and write rows and use sequences, but not change the schema or the ledgers", async () => {
    await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations, now });
    await applyTenantSeed({ sql: owner, seed: tenantSchema.seed, now });
    await grantAppRole(owner, db.appRole);
    await grantAppRole(owner, db.appRole); // idempotent
    const app = db.connect("app");

    const [category] = await app`select id from public.categories where slug = 'sale'`;
    const [product] = await app`insert into public.products (category_id, name, slug, price) values (${category!.id}, 'Lamp', 'lamp', 40) returning id`;
    await app`update public.products set price = 35 where id = ${product!.id}`;
    const [order] = await app`insert into public.orders (email, subtotal_amount, total_amount) values ('a@example.com', 35, 35) returning order_number`;
    expect(order).toEqual({ order_number: "1001" }); // identity sequence usable
    await app`delete from public.products where id = ${product!.id}`;
    expect(await app`select version from public.schema_migrations`).toHaveLength(2);

    expect(await outcome(app`create table public.evil (id int)`)).toBe("42501");
    expect(await outcome(app`create schema evil`)).toBe("42501");
    expect(await outcome(app`alter table public.products add column evil text`)).toBe("42501");
    expect(await outcome(app`drop table public.orders`)).toBe("42501");
    expect(await outcome(app`truncate public.orders`)).toBe("42501");
    expect(await outcome(app`insert into public.schema_migrations values ('0099', 'fake', ${"0".repeat(64)}, now(), 0)`)).toBe("42501");
    expect(await outcome(app`delete from public.schema_seeds`)).toBe("42501");
  });

  it("covers tables added by later migrations through default privileges", async () => {
    await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations, now });
    await grantAppRole(owner, db.appRole);
    const later = "create table public.gift_cards (id bigint generated always as identity primary key, code text not null unique, balance numeric(12, 2) not null default 0);";
    const migrations = [...tenantSchema.migrations, { version: "0003", name: "gift_cards", sql: later, checksum: sha256(later) }];
    await applyTenantMigrations({ sql: owner, migrations, now });

    const app = db.connect("app");
    const [card] = await app`insert into public.gift_cards (code, balance) values ('WELCOME', 10) returning id`;
    expect(card).toEqual({ id: "1" });
  });

  it("keeps ledgers read-only for the app role even when they are created after the grant", async () => {
    await grantAppRole(owner, db.appRole);
    await applyTenantMigrations({ sql: owner, migrations: tenantSchema.migrations, now });
    await applyTenantSeed({ sql: owner, seed: tenantSchema.seed, now });
    const app = db.connect("app");
    expect(await outcome(app`select count(*) from public.schema_migrations`)).toBe("ok");
    expect(await outcome(app`update public.schema_migrations set checksum = checksum`)).toBe("42501");
    expect(await outcome(app`insert into public.schema_seeds values ('x', ${"0".repeat(64)}, now())`)).toBe("42501");
    expect(await outcome(app`insert into public.categories (name, slug) values ('Books', 'books')`)).toBe("ok");
  });

  it("makes CREATE on schema public explicit, whatever the server version's default", async () => {
    await owner`grant create on schema public to public`; // as on PostgreSQL 14 and older
    await grantAppRole(owner, db.appRole);
    const [row] = await owner`select has_schema_privilege('public', 'public', 'CREATE') as public_create, has_schema_privilege(${db.appRole}, 'public', 'CREATE') as app_create`;
    expect(row).toEqual({ public_create: false, app_create: false });
  });

  it("refuses role names that are not plain lower-case identifiers", async () => {
    await expect(grantAppRole(owner, 'app"; drop table x; --')).rejects.toThrow(/lower-case identifier/);
  });
});
