/**
 * A throwaway tenant database on the test cluster, shaped like a Neon project's: a database owned
 * by a non-superuser owner role (as `neondb_owner` owns `neondb`) plus a login app role. Created
 * as the cluster superuser; `drop()` removes database and roles.
 */
import postgres from "postgres";
import { randomBytes } from "node:crypto";
import { withDatabase } from "../../local/supabase/database.ts";

export interface TenantDb {
  database: string;
  ownerRole: string;
  appRole: string;
  /** A new client as the owner (what the runner gets) or the app role; ended by `drop()`. */
  connect(as: "owner" | "app", options?: { max?: number }): postgres.Sql;
  drop(): Promise<void>;
}

export async function createTenantDb(superuserUrl: string): Promise<TenantDb> {
  const suffix = randomBytes(6).toString("hex");
  const database = `tenant_${suffix}`;
  const ownerRole = `tenant_owner_${suffix}`;
  const appRole = `tenant_app_${suffix}`;
  const passwords = { owner: randomBytes(16).toString("hex"), app: randomBytes(16).toString("hex") };
  const admin = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  // Hex passwords and generated names: nothing to escape.
  await admin.unsafe(`create role ${ownerRole} login password '${passwords.owner}'`);
  await admin.unsafe(`create role ${appRole} login password '${passwords.app}'`);
  await admin.unsafe(`create database ${database} owner ${ownerRole}`);

  const clients: postgres.Sql[] = [];
  return {
    database,
    ownerRole,
    appRole,
    connect(as, options = {}) {
      const user = as === "owner" ? { name: ownerRole, password: passwords.owner } : { name: appRole, password: passwords.app };
      const client = postgres(withDatabase(superuserUrl, database, user), { max: options.max ?? 2, onnotice: () => {}, prepare: false });
      clients.push(client);
      return client;
    },
    async drop() {
      await Promise.all(clients.map((c) => c.end({ timeout: 5 })));
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.unsafe(`drop role if exists ${appRole}`);
      await admin.unsafe(`drop role if exists ${ownerRole}`);
      await admin.end();
    },
  };
}
