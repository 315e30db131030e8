/**
 * The control plane as the GraphQL API sees it (`graphql-v2/services.ts`). Reads run in one
 * transaction as the caller (RLS decides); writes go to the same provisioning engine and health
 * checker the edge functions use, through the two ports below.
 */
import { readAsCaller, withCaller, type Sql } from "../db.ts";
import { AppError } from "../errors.ts";
import type { RateLimiter } from "../rate-limit.ts";
import { listMyOrganizations } from "../registry/organizations.ts";
import { getTenantConnectionInfo } from "../registry/credentials.ts";
import { readConnectionStrings } from "./connection-strings.ts";
import type { ProvisioningStep } from "../registry/types.ts";
import type { Logger } from "../log.ts";
import { tenantPage, tenantsOfOrganizations } from "./tenant-records.ts";
import { getTenantHealth } from "../health/trend.ts";
import type {
  ProvisionTenantRequest, ServiceCaller, TenantRecord, TenantServices, SslMode,
} from "../../../../graphql-v2/services.ts";

export const ENTRY_POINT = "graphql-v2";

export interface RequestContext { requestId: string; entryPoint: string; idempotencyKey?: string | null }

/** What GraphQL needs from the provisioning engine (the same engine provision-tenant-resources runs). */
export interface ProvisioningPort {
  provision(caller: ServiceCaller, input: ProvisionTenantRequest, context: RequestContext): Promise<{ tenantId: string; created: boolean }>;
  retry(caller: ServiceCaller, organizationId: string, step: ProvisioningStep | null, context: RequestContext): Promise<void>;
  deprovision(caller: ServiceCaller, organizationId: string, context: RequestContext): Promise<void>;
}

/** What GraphQL needs from the health checker (the same code check-tenant-health runs). */
export interface HealthPort {
  checkOrganization(caller: ServiceCaller, organizationId: string, context: RequestContext): Promise<void>;
}

export interface TenantServicesDeps {
  sql: Sql;
  provisioning: ProvisioningPort;
  health: HealthPort;
  /** Per-user budget for reading connection info (it decrypts secrets), as decrypt-connection-string has. */
  connectionReads: RateLimiter;
  logger: Logger;
}

interface Cursor { createdAt: Date; id: string }

function encodeCursor(cursor: Cursor): string {
  return btoa(`${cursor.createdAt.toISOString()}|${cursor.id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeCursor(text: string): Cursor {
  try {
    const [iso, id] = atob(text.replace(/-/g, "+").replace(/_/g, "/")).split("|");
    const createdAt = new Date(iso!);
    if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id ?? "")) throw new Error("bad cursor");
    return { createdAt, id: id! };
  } catch {
    throw new AppError("VALIDATION_FAILED", "`after` is not a cursor from this API: pass the endCursor of the previous page.", { details: { field: "after" } });
  }
}

function uriParts(uri: string): { host: string; port: number; database: string; role: string } {
  const url = new URL(uri);
  return { host: url.hostname, port: Number(url.port || 5432), database: decodeURIComponent(url.pathname.slice(1)), role: decodeURIComponent(url.username) };
}

export function createTenantServices(deps: TenantServicesDeps): TenantServices {
  const { sql } = deps;
  const context = (caller: ServiceCaller): RequestContext => ({ requestId: caller.requestId, entryPoint: ENTRY_POINT });
  const tenantOf = async (caller: ServiceCaller, organizationId: string): Promise<TenantRecord> => {
    const [tenant] = await readAsCaller(sql, caller, (tx) => tenantsOfOrganizations(tx, [organizationId]));
    if (!tenant) throw new AppError("NOT_FOUND", "This organization has no tenant database you can see. Check the organization id, or provision one first.");
    return tenant;
  };

  return {
    async getTenant(caller, organizationId) {
      const [tenant] = await readAsCaller(sql, caller, (tx) => tenantsOfOrganizations(tx, [organizationId]));
      return tenant ?? null;
    },

    getTenantsByOrgIds: (caller, organizationIds) => readAsCaller(sql, caller, (tx) => tenantsOfOrganizations(tx, organizationIds)),

    async listTenants(caller, options) {
      const after = options.after ? decodeCursor(options.after) : null;
      return await readAsCaller(sql, caller, async (tx) => {
        // Both in the same round trip; unless the caller is an operator, the page (RLS-limited
        // anyway) is dropped, and so is any error it raised: a non-operator only learns FORBIDDEN.
        const [operator, pageRead] = await Promise.allSettled([
          tx<{ yes: boolean }[]>`select public.is_platform_operator() as yes`,
          tenantPage(tx, { status: options.status, first: options.first, after }),
        ]);
        if (operator.status === "rejected") throw operator.reason;
        if (!operator.value[0]?.yes) throw new AppError("FORBIDDEN", "Only platform operators may list all tenants (app_metadata.platform_role = operator).");
        if (pageRead.status === "rejected") throw pageRead.reason;
        const page = pageRead.value;
        const edges = page.records.map(({ record, createdAt }) => ({ cursor: encodeCursor({ createdAt, id: record.id }), node: record }));
        return { edges, hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null, totalCount: null };
      });
    },

    async getHealth(caller, organizationId, options) {
      return await readAsCaller(sql, caller, async (tx) => {
        const health = await getTenantHealth(tx, organizationId, { trendHours: options.trendHours });
        if (!health) throw new AppError("NOT_FOUND", "This organization has no tenant database you can see.");
        return health;
      });
    },

    async getConnectionInfo(caller, organizationId) {
      const audit = { entryPoint: ENTRY_POINT, requestId: caller.requestId };
      const { strings } = await readConnectionStrings({ sql, logger: deps.logger, rateLimiter: deps.connectionReads }, caller, organizationId, ["app_direct", "app_pooled"], audit);
      const info = await readAsCaller(sql, caller, (tx) => getTenantConnectionInfo(tx, organizationId));
      const direct = uriParts(strings.app_direct);
      const sslMode = (info.find((i) => i.kind === "app_direct")?.sslmode ?? "require") as SslMode;
      return {
        organizationId, host: direct.host, pooledHost: uriParts(strings.app_pooled).host, port: direct.port, database: direct.database,
        role: direct.role, sslMode, directUri: strings.app_direct, pooledUri: strings.app_pooled,
      };
    },

    async myOrganizations(caller) {
      const organizations = await readAsCaller(sql, caller, (tx) => listMyOrganizations(tx));
      return organizations.map((o) => ({ id: o.id, name: o.name, role: o.role }));
    },

    async provisionTenant(caller, input, options) {
      const result = await deps.provisioning.provision(caller, input, { ...context(caller), idempotencyKey: options.idempotencyKey });
      return { tenant: await tenantOf(caller, input.organizationId), created: result.created };
    },

    async retryProvisioning(caller, organizationId, step) {
      await deps.provisioning.retry(caller, organizationId, step, context(caller));
      return await tenantOf(caller, organizationId);
    },

    async checkHealth(caller, organizationId) {
      await deps.health.checkOrganization(caller, organizationId, context(caller));
      return await this.getHealth(caller, organizationId, { trendHours: 24 });
    },

    async deprovision(caller, organizationId) {
      await deps.provisioning.deprovision(caller, organizationId, context(caller));
      return await tenantOf(caller, organizationId);
    },
  };
}
