/**
 * Persists the emulator's records in a small admin database on the same
 * server (default `neon_emulator`): one table of JSON documents keyed by kind
 * and id. Writes are coalesced and applied in the background; the server
 * awaits `flush()` before answering a mutating call, so an answered call
 * survives a restart.
 */
import postgres from "postgres";
import { KINDS, type Kind, type PersistenceSink } from "./state.ts";
import { quoteIdent } from "./sql-text.ts";

type Sql = postgres.Sql<Record<string, never>>;

export interface LoadedRecord {
  kind: Kind;
  id: string;
  data: unknown;
}

export interface StateStore extends PersistenceSink {
  load(): Promise<LoadedRecord[]>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

const TABLE = "neon_emulator_records";

export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = "/" + encodeURIComponent(database);
  return u.toString();
}

/** Creates the state database when missing (tolerating a concurrent creator). */
async function ensureDatabase(admin: Sql, database: string): Promise<void> {
  const [row] = await admin`select 1 as present from pg_database where datname = ${database}`;
  if (row) return;
  try {
    await admin.unsafe(`create database ${quoteIdent(database)} strategy file_copy`);
  } catch (err) {
    if ((err as { code?: string }).code !== "42P04") throw err; // duplicate_database: someone else won
  }
}

export async function openStateStore(admin: Sql, adminUrl: string, database: string, onError: (err: unknown) => void): Promise<StateStore> {
  await ensureDatabase(admin, database);
  const sql: Sql = postgres(databaseUrl(adminUrl, database), {
    max: 2,
    onnotice: () => {},
    connection: { application_name: "neon-emulator/state" },
  });
  await sql.unsafe(`create table if not exists ${TABLE} (
    kind text not null,
    id text not null,
    data jsonb not null,
    updated_at timestamptz not null default now(),
    primary key (kind, id)
  )`);

  // Latest pending change per record; null data means delete.
  let pending = new Map<string, { kind: Kind; id: string; data: unknown | null }>();
  let writing: Promise<void> | undefined;

  async function writeBatch(batch: typeof pending): Promise<void> {
    const upserts = [...batch.values()].filter((c) => c.data !== null);
    const deletes = [...batch.values()].filter((c) => c.data === null);
    await sql.begin(async (tx) => {
      for (const c of upserts) {
        await tx`insert into ${tx(TABLE)} (kind, id, data, updated_at) values (${c.kind}, ${c.id}, ${tx.json(c.data as never)}, now())
                 on conflict (kind, id) do update set data = excluded.data, updated_at = now()`;
      }
      for (const c of deletes) await tx`delete from ${tx(TABLE)} where kind = ${c.kind} and id = ${c.id}`;
    });
  }

  function drain(): Promise<void> {
    if (writing) return writing;
    writing = (async () => {
      while (pending.size > 0) {
        const batch = pending;
        pending = new Map();
        try {
          await writeBatch(batch);
        } catch (err) {
          onError(err);
        }
      }
    })().finally(() => {
      writing = undefined;
    });
    return writing;
  }

  const enqueue = (kind: Kind, id: string, data: unknown | null) => {
    pending.set(`${kind}\u0000${id}`, { kind, id, data });
    queueMicrotask(() => void drain());
  };

  return {
    save: (kind, id, record) => enqueue(kind, id, record),
    remove: (kind, id) => enqueue(kind, id, null),
    async load() {
      const rows = await sql<{ kind: string; id: string; data: unknown }[]>`select kind, id, data from ${sql(TABLE)}`;
      return rows.filter((r) => (KINDS as string[]).includes(r.kind)).map((r) => ({ kind: r.kind as Kind, id: r.id, data: r.data }));
    },
    async flush() {
      while (writing || pending.size > 0) await drain();
    },
    async close() {
      while (writing || pending.size > 0) await drain();
      await sql.end({ timeout: 5 });
    },
  };
}
