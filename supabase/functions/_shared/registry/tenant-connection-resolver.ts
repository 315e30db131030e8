/**
 * Organization → `postgres` client of its tenant database, for server-side code (GraphQL resolvers,
 * jobs). The seed design's `getTenantDatabase`, done on the server: the connection string is
 * decrypted in the registry (audited, as service_role) and never reaches a browser.
 *
 * Caching and invalidation. A client is kept per organization for at most `ttlMs`. Every `get`
 * also runs one cheap registry query (status + credentials_version of the tenant, one indexed
 * row) and drops the cached client when the tenant is no longer active or its credentials
 * changed: `store_tenant_credentials` (rotation), `delete_tenant_credentials` and deprovisioning
 * all bump `credentials_version` / change the status in the same transaction. We chose this
 * version check over explicit invalidation alone because rotation and deprovisioning happen in
 * other isolates (the provisioning engine, cron), which cannot reach this isolate's memory; the
 * registry is the one place every isolate sees. `invalidate(orgId)` is still there for code in
 * the same isolate that wants the pool closed at once (e.g. right after a rotation it performed).
 * The TTL bounds how long decrypted credentials and idle pools live in memory.
 *
 * Authorization is the caller's job: this resolver acts as the service role. Check the user's
 * membership (withCaller + has_org_role / RLS) before handing them tenant data.
 */
import type postgres from "postgres";
import { asService, type Sql } from "../db.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { getTenantConnection } from "./credentials.ts";
import { getTenantConnectionState } from "./tenants.ts";
import type { CredentialKind } from "./types.ts";

export interface TenantConnectionResolverOptions {
  /** Registry client (`createSqlClient(SUPABASE_DB_URL)`, as `postgres`). */
  registrySql: Sql;
  /** Builds a client for a tenant connection string (e.g. `(url) => postgres(url, { prepare: false, max: 2 })`). */
  connect: (url: string) => postgres.Sql;
  /** Maximum age of a cached client (default 5 minutes). */
  ttlMs?: number;
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
  /** Which credential to use (default `app_pooled`: least-privilege role through Neon's pooler). */
  kind?: CredentialKind;
  /** Audit entry point of the decrypts (default `tenant-connection-resolver`). */
  entryPoint?: string;
  /** Most organizations kept at once (default 100); the oldest client is closed beyond that. */
  maxEntries?: number;
  /** Seconds a dropped client may finish in-flight queries (default 5). */
  closeTimeoutSeconds?: number;
  logger?: Logger;
}

export interface TenantConnectionResolver {
  /** The organization's tenant client. NOT_FOUND without a tenant, TENANT_NOT_ACTIVE unless active. */
  get(organizationId: string): Promise<postgres.Sql>;
  /** Drops and closes the cached client of an organization (the next `get` decrypts again). */
  invalidate(organizationId: string): Promise<void>;
  /** Closes every cached client. */
  close(): Promise<void>;
}

interface Entry {
  tenantId: string;
  version: number;
  createdAt: number;
  sql: postgres.Sql;
}

type Lookup =
  | { kind: "missing" }
  | { kind: "inactive"; status: string; tenantId: string }
  | { kind: "hit"; entry: Entry }
  | { kind: "fresh"; tenantId: string; version: number; url: string };

export function createTenantConnectionResolver(options: TenantConnectionResolverOptions): TenantConnectionResolver {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const kind = options.kind ?? "app_pooled";
  const entryPoint = options.entryPoint ?? "tenant-connection-resolver";
  const maxEntries = options.maxEntries ?? 100;
  const closeTimeout = options.closeTimeoutSeconds ?? 5;
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<postgres.Sql>>();

  const closeEntry = (organizationId: string, entry: Entry, reason: string): Promise<void> => {
    options.logger?.info("tenant connection closed", { organizationId, tenantId: entry.tenantId, reason });
    return entry.sql.end({ timeout: closeTimeout }).catch((error: unknown) => {
      options.logger?.warn("closing a tenant connection failed", { organizationId, error });
    });
  };

  const drop = (organizationId: string, reason: string): Promise<void> => {
    const entry = cache.get(organizationId);
    if (!entry) return Promise.resolve();
    cache.delete(organizationId);
    return closeEntry(organizationId, entry, reason);
  };

  async function resolve(organizationId: string): Promise<postgres.Sql> {
    const cached = cache.get(organizationId);
    const lookup = await asService(options.registrySql, async (tx): Promise<Lookup> => {
      const state = await getTenantConnectionState(tx, organizationId);
      if (!state) return { kind: "missing" };
      if (state.status !== "active") return { kind: "inactive", status: state.status, tenantId: state.tenantId };
      if (cached && cached.tenantId === state.tenantId && cached.version === state.credentialsVersion && now() - cached.createdAt < ttlMs) {
        return { kind: "hit", entry: cached };
      }
      const url = await getTenantConnection(tx, { organizationId, kind }, { entryPoint });
      return { kind: "fresh", tenantId: state.tenantId, version: state.credentialsVersion, url };
    });

    switch (lookup.kind) {
      case "hit":
        return lookup.entry.sql;
      case "missing":
        void drop(organizationId, "no tenant");
        throw new AppError("NOT_FOUND", "This organization has no tenant database. Provision one first.", { details: { organizationId } });
      case "inactive":
        void drop(organizationId, `tenant ${lookup.status}`);
        throw new AppError("TENANT_NOT_ACTIVE", `The organization's tenant database is ${lookup.status}, not active. Wait for provisioning to finish, or retry or resume it.`, {
          details: { organizationId, tenantId: lookup.tenantId, status: lookup.status },
        });
      case "fresh": {
        const reason = !cached ? "" : cached.tenantId !== lookup.tenantId ? "tenant replaced" : cached.version !== lookup.version ? "credentials changed" : "ttl expired";
        if (cached) void drop(organizationId, reason);
        const entry: Entry = { tenantId: lookup.tenantId, version: lookup.version, createdAt: now(), sql: options.connect(lookup.url) };
        cache.set(organizationId, entry);
        while (cache.size > maxEntries) {
          const [oldestOrg] = cache.keys();
          if (oldestOrg === undefined) break;
          void drop(oldestOrg, "evicted");
        }
        options.logger?.debug("tenant connection opened", { organizationId, tenantId: lookup.tenantId, credentialsVersion: lookup.version });
        return entry.sql;
      }
    }
  }

  return {
    get(organizationId) {
      // Concurrent gets for one organization share one lookup (and one client).
      const pending = inflight.get(organizationId);
      if (pending) return pending;
      const promise = resolve(organizationId).finally(() => inflight.delete(organizationId));
      inflight.set(organizationId, promise);
      return promise;
    },
    invalidate(organizationId) {
      return drop(organizationId, "invalidated");
    },
    async close() {
      await Promise.all([...cache.keys()].map((organizationId) => drop(organizationId, "resolver closed")));
    },
  };
}
