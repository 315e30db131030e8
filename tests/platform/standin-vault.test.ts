/** The local Vault stand-in behaves like Supabase Vault 0.3.1's SQL surface (reference §1.1–1.6). */
import { describe, it, expect, afterAll, inject } from "vitest";
import postgres from "postgres";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { STANDIN_DIR } from "../../local/supabase/database.ts";

const sql = postgres(inject("dbUrl"), { max: 2, prepare: false, onnotice: () => {} });
const superuser = postgres(inject("superuserUrl"), { max: 1, prepare: false, onnotice: () => {} });
afterAll(() => Promise.all([sql.end(), superuser.end()]));

type Role = "service_role" | "authenticated" | "anon" | "postgres";

/** Runs `fn` in a transaction as `role` (postgres = no role switch). */
function as<T>(role: Role, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    if (role !== "postgres") {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ role, sub: crypto.randomUUID() })}, true), set_config('role', ${role}, true)`;
    }
    return fn(tx);
  }) as Promise<T>;
}

const uniqueName = (label: string) => `test:${label}:${crypto.randomUUID()}`;

async function createSecret(secret: string, name: string | null = uniqueName("s"), role: Role = "service_role"): Promise<string> {
  return as(role, async (tx) => (await tx`select vault.create_secret(${secret}, ${name}, 'test secret') as id`)[0]!.id as string);
}

async function readSecret(id: string, role: Role = "service_role"): Promise<string | undefined> {
  return as(role, async (tx) => (await tx`select decrypted_secret from vault.decrypted_secrets where id = ${id}`)[0]?.decrypted_secret as string | undefined);
}

describe("stand-in: Vault", () => {
  it("round-trips a secret and stores only base64 ciphertext with a 16-byte nonce and no key_id", async () => {
    const plaintext = `postgresql://owner:${crypto.randomUUID()}@ep-test.example/neondb?sslmode=require`;
    const id = await createSecret(plaintext);
    expect(await readSecret(id)).toBe(plaintext);
    const [row] = await as("service_role", (tx) => tx`select secret, key_id, length(nonce) as nonce_length, description from vault.secrets where id = ${id}`);
    expect(row!.secret).not.toContain("postgresql://");
    expect(Buffer.from(row!.secret as string, "base64").toString("utf8")).not.toContain(plaintext);
    expect(row!.secret).toMatch(/^[A-Za-z0-9+/=\s]+$/);
    expect(row).toMatchObject({ key_id: null, nonce_length: 16, description: "test secret" });
  });

  it("update_secret rotates the value in place (same id and nonce), renames, and ignores unknown ids", async () => {
    const id = await createSecret("first value");
    const [before] = await as("service_role", (tx) => tx`select nonce, secret from vault.secrets where id = ${id}`);
    const newName = uniqueName("renamed");
    await as("service_role", (tx) => tx`select vault.update_secret(${id}, 'second value', ${newName})`);
    const [after] = await as("service_role", (tx) => tx`select nonce, secret, name, decrypted_secret from vault.decrypted_secrets where id = ${id}`);
    expect(after).toMatchObject({ name: newName, decrypted_secret: "second value" });
    expect(Buffer.compare(after!.nonce as Buffer, before!.nonce as Buffer)).toBe(0);
    expect(after!.secret).not.toBe(before!.secret);
    // Named arguments, as in Vault's own tests; a null new_secret keeps the value.
    await as("service_role", (tx) => tx`select vault.update_secret(${id}, new_description := 'described')`);
    expect(await readSecret(id)).toBe("second value");
    await as("service_role", (tx) => tx`select vault.update_secret(${crypto.randomUUID()}, 'nobody')`);
  });

  it("rejects ciphertext moved to another row (AAD is the row id) with 22000 invalid ciphertext", async () => {
    const a = await createSecret("secret A");
    const b = await createSecret("secret B");
    // Only the owner can write vault.secrets directly: tamper as the superuser.
    await superuser`update vault.secrets set secret = (select secret from vault.secrets where id = ${a}), nonce = (select nonce from vault.secrets where id = ${a}) where id = ${b}`;
    await expect(readSecret(b)).rejects.toMatchObject({ code: "22000", message: expect.stringContaining("invalid ciphertext") });
    expect(await readSecret(a)).toBe("secret A");
  });

  it("rejects a flipped ciphertext bit", async () => {
    const id = await createSecret("integrity");
    const [row] = await superuser`select secret from vault.secrets where id = ${id}`;
    const bytes = Buffer.from(row!.secret as string, "base64");
    bytes[20] = bytes[20]! ^ 1;
    await superuser`update vault.secrets set secret = ${bytes.toString("base64")} where id = ${id}`;
    await expect(readSecret(id)).rejects.toMatchObject({ code: "22000" });
  });

  it("a duplicate name raises unique_violation on secrets_name_idx; unnamed secrets may repeat", async () => {
    const name = uniqueName("dup");
    await createSecret("one", name);
    await expect(createSecret("two", name)).rejects.toMatchObject({ code: "23505", constraint_name: "secrets_name_idx" });
    const [x, y] = [await createSecret("same", null), await createSecret("same", null)];
    expect(x).not.toBe(y);
  });

  it("allows an empty string", async () => {
    const id = await createSecret("");
    expect(await readSecret(id)).toBe("");
  });

  it("encrypts deterministically per (row, nonce): same plaintext in two rows gives different ciphertext", async () => {
    const a = await createSecret("same plaintext");
    const b = await createSecret("same plaintext");
    const rows = await as("service_role", (tx) => tx`select secret from vault.secrets where id in (${a}, ${b})`);
    expect(rows[0]!.secret).not.toBe(rows[1]!.secret);
  });

  it("postgres can create, read and delete secrets (hosted grants) but never read the root key", async () => {
    const id = await createSecret("from postgres", uniqueName("pg"), "postgres");
    expect(await readSecret(id, "postgres")).toBe("from postgres");
    await expect(sql`select key from vault._root_key`).rejects.toMatchObject({ code: "42501" });
    await sql`delete from vault.secrets where id = ${id}`;
    expect(await readSecret(id, "postgres")).toBeUndefined();
  });

  it("service_role can read the view and delete, but not insert or update directly", async () => {
    const id = await createSecret("svc");
    expect(await readSecret(id, "service_role")).toBe("svc");
    await expect(as("service_role", (tx) => tx`update vault.secrets set name = 'x' where id = ${id}`)).rejects.toMatchObject({ code: "42501" });
    await expect(as("service_role", (tx) => tx`insert into vault.secrets (secret) values ('plain')`)).rejects.toMatchObject({ code: "42501" });
    await expect(as("service_role", (tx) => tx`select key from vault._root_key`)).rejects.toMatchObject({ code: "42501" });
    await as("service_role", (tx) => tx`delete from vault.secrets where id = ${id}`);
  });

  it("authenticated and anon get permission denied for schema vault", async () => {
    const id = await createSecret("hidden");
    for (const role of ["authenticated", "anon"] as const) {
      await expect(readSecret(id, role)).rejects.toMatchObject({ code: "42501", message: "permission denied for schema vault" });
      await expect(as(role, (tx) => tx`select * from vault.secrets`)).rejects.toMatchObject({ code: "42501", message: "permission denied for schema vault" });
      await expect(as(role, (tx) => tx`select vault.create_secret('x')`)).rejects.toMatchObject({ code: "42501" });
    }
  });

  it("is idempotent: re-applying the file (every dev start) keeps secrets, key and grants", async () => {
    const id = await createSecret("survives a restart");
    const [keyBefore] = await superuser`select encode(key, 'hex') as key from vault._root_key`;
    await superuser.begin((tx) => tx.unsafe(readFileSync(join(STANDIN_DIR, "03_vault.sql"), "utf8")));
    expect(await readSecret(id)).toBe("survives a restart");
    const [keyAfter] = await superuser`select encode(key, 'hex') as key from vault._root_key`;
    expect(keyAfter!.key).toBe(keyBefore!.key);
    expect(keyAfter!.key).toBe(inject("keys").vaultKeyHex);
    await expect(readSecret(id, "authenticated")).rejects.toMatchObject({ code: "42501" });
  });

  it("has the hosted grants: EXECUTE revoked from PUBLIC, none for anon/authenticated, functions SECURITY DEFINER with empty search_path, owned by supabase_admin", async () => {
    const functions = await superuser`
      select p.proname, p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner) as owner,
        has_function_privilege('anon', p.oid, 'execute') as anon,
        has_function_privilege('authenticated', p.oid, 'execute') as authenticated,
        has_function_privilege('service_role', p.oid, 'execute') as service_role,
        has_function_privilege('postgres', p.oid, 'execute') as postgres
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'vault' order by p.proname`;
    const byName = Object.fromEntries(functions.map((f) => [f.proname, f]));
    for (const name of ["create_secret", "update_secret", "_crypto_aead_det_decrypt"]) {
      expect(byName[name]).toMatchObject({ anon: false, authenticated: false, service_role: true, postgres: true, owner: "supabase_admin", prosecdef: true });
    }
    for (const name of ["_crypto_aead_det_encrypt", "_crypto_aead_det_noncegen"]) {
      expect(byName[name]).toMatchObject({ anon: false, authenticated: false, service_role: false, postgres: false, owner: "supabase_admin" });
    }
    for (const name of ["create_secret", "update_secret"]) expect(byName[name]!.proconfig).toEqual(['search_path=""']);
    const [columns] = await superuser`select string_agg(attname, ',' order by attnum) as list from pg_attribute where attrelid = 'vault.decrypted_secrets'::regclass and attnum > 0`;
    expect(columns!.list).toBe("id,name,description,secret,decrypted_secret,key_id,nonce,created_at,updated_at");
    const [tables] = await superuser`select pg_get_userbyid(relowner) as owner from pg_class where oid = 'vault.secrets'::regclass`;
    expect(tables!.owner).toBe("supabase_admin");
  });
});
