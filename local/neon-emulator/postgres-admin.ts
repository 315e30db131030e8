/**
 * Real Postgres objects behind the API: one login role and one database per
 * Neon role/database, branches copied with `CREATE DATABASE … TEMPLATE`.
 *
 * Needs a superuser admin URL (or a role that may create roles and databases
 * and read pg_stat_activity): branch copies reassign object ownership between
 * tenant roles, which only a superuser can do for arbitrary roles.
 */
import postgres from "postgres";
import { quoteIdent, quoteLiteral } from "./sql-text.ts";
import { scramVerifier } from "./scram.ts";
import { databaseUrl } from "./state-store.ts";

type Sql = postgres.Sql<Record<string, never>>;

export const ADMIN_APPLICATION_NAME = "neon-emulator/admin";

/**
 * FILE_COPY copies a small database several times faster than the default
 * WAL_LOG (which writes every page to WAL); tenant databases are small.
 */
const STRATEGY = "file_copy";

export interface BranchCopyPlan {
  /** parent database → child database, with the child's owner role. */
  databases: Array<{ parent: string; child: string; owner: string }>;
  /** parent role → child role (same password, created beforehand). */
  roles: Array<{ parent: string; child: string }>;
  /** The parent's databases and their owners, restored after reassignment. */
  parentOwners: Array<{ database: string; owner: string }>;
  /** Neon's `init_source: schema-only`: keep the schema, empty every table. */
  schemaOnly?: boolean;
}

/**
 * Empties every table except those of extensions (their configuration data
 * is part of the schema), and restarts identity sequences.
 */
const TRUNCATE_ALL = `do $$
declare t record;
begin
  for t in
    select format('%I.%I', n.nspname, c.relname) as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relispartition
      and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
      and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
  loop
    execute 'truncate table ' || t.name || ' restart identity cascade';
  end loop;
end $$`;

export class PostgresAdmin {
  readonly sql: Sql;
  /** Where the server really listens (from the admin URL). */
  readonly host: string;
  readonly port: number;

  constructor(private readonly adminUrl: string) {
    const url = new URL(adminUrl);
    this.host = url.hostname;
    this.port = Number(url.port || 5432);
    this.sql = postgres(adminUrl, {
      max: 4,
      onnotice: () => {},
      connection: { application_name: ADMIN_APPLICATION_NAME },
    });
  }

  async createRole(name: string, password: string, login = true): Promise<void> {
    await this.sql.unsafe(`create role ${quoteIdent(name)} ${login ? "login" : "nologin"} password ${quoteLiteral(scramVerifier(password))}`);
  }

  async setRolePassword(name: string, password: string): Promise<void> {
    await this.sql.unsafe(`alter role ${quoteIdent(name)} password ${quoteLiteral(scramVerifier(password))}`);
  }

  /** Drops a role; returns false (leaving it NOLOGIN) when objects elsewhere still depend on it. */
  async dropRole(name: string): Promise<boolean> {
    try {
      await this.sql.unsafe(`drop role if exists ${quoteIdent(name)}`);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code !== "2BP01") throw err;
      await this.sql.unsafe(`alter role ${quoteIdent(name)} nologin`);
      return false;
    }
  }

  /** A fresh database owned by `owner`; only the branch's roles may connect, as on Neon. */
  async createDatabase(name: string, owner: string, connectRoles: string[]): Promise<void> {
    await this.sql.unsafe(`create database ${quoteIdent(name)} owner ${quoteIdent(owner)} strategy ${STRATEGY}`);
    await this.restrictConnect(name, connectRoles);
  }

  async grantConnect(database: string, role: string): Promise<void> {
    await this.sql.unsafe(`grant connect, temporary on database ${quoteIdent(database)} to ${quoteIdent(role)}`);
  }

  private async restrictConnect(database: string, roles: string[]): Promise<void> {
    await this.sql.unsafe(`revoke connect, temporary on database ${quoteIdent(database)} from public`);
    for (const role of roles) await this.grantConnect(database, role);
  }

  /** Terminates every session on the given databases except the emulator's own admin sessions. */
  async terminate(databases: string[]): Promise<number> {
    if (databases.length === 0) return 0;
    const [row] = await this.sql<{ n: number }[]>`
      select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where datname = any(${databases}) and pid <> pg_backend_pid()`;
    return row?.n ?? 0;
  }

  /**
   * Copies a branch: each database via TEMPLATE (schema and data), then hands
   * the copy's objects from the parent's roles to the child's. Postgres cannot
   * copy a database that has sessions, so the parent's sessions are ended
   * first (unlike Neon, where branching does not touch the parent).
   */
  async copyBranch(plan: BranchCopyPlan): Promise<void> {
    for (const db of plan.databases) {
      for (let attempt = 0; ; attempt++) {
        await this.terminate([db.parent]);
        try {
          await this.sql.unsafe(`create database ${quoteIdent(db.child)} template ${quoteIdent(db.parent)} owner ${quoteIdent(db.owner)} strategy ${STRATEGY}`);
          break;
        } catch (err) {
          // 55006: "source database is being accessed by other users" — a client reconnected in between.
          if ((err as { code?: string }).code !== "55006" || attempt >= 20) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await this.restrictConnect(db.child, plan.roles.map((r) => r.child));
      if (plan.roles.length > 0 || plan.schemaOnly) {
        const inChild: Sql = postgres(databaseUrl(this.adminUrl, db.child), {
          max: 1,
          onnotice: () => {},
          connection: { application_name: ADMIN_APPLICATION_NAME },
        });
        try {
          for (const r of plan.roles) await inChild.unsafe(`reassign owned by ${quoteIdent(r.parent)} to ${quoteIdent(r.child)}`);
          if (plan.schemaOnly) await inChild.unsafe(TRUNCATE_ALL);
        } finally {
          await inChild.end({ timeout: 5 });
        }
      }
    }
    // REASSIGN OWNED also moves shared objects, i.e. the parent's databases: give them back.
    for (const p of plan.parentOwners) await this.sql.unsafe(`alter database ${quoteIdent(p.database)} owner to ${quoteIdent(p.owner)}`);
  }

  async dropDatabase(name: string): Promise<void> {
    await this.sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
  }

  /** Blocks (or re-allows) new sessions on a database, ending the current ones when blocking. */
  async setAllowConnections(database: string, allow: boolean): Promise<void> {
    await this.sql.unsafe(`alter database ${quoteIdent(database)} allow_connections ${allow ? "true" : "false"}`);
    if (!allow) await this.terminate([database]);
  }

  async databaseExists(name: string): Promise<boolean> {
    const [row] = await this.sql`select 1 as present from pg_database where datname = ${name}`;
    return Boolean(row);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
