/** Resolving engine deps, reading the tenant row, and building a step's context. */
import postgres from "postgres";
import { asService } from "../db.ts";
import { sleep } from "../backoff.ts";
import { getTenantConnectionForTenant } from "../registry/credentials.ts";
import { tenantSchema } from "../tenant-schema/index.ts";
import type { ProvisioningDeps, ResolvedDeps, RunMemory, StepContext, TenantRow, Timing } from "./types.ts";

export function defaultConnectTenant(url: string): postgres.Sql {
  return postgres(url, { max: 1, prepare: false, connect_timeout: 10, idle_timeout: 5, onnotice: () => {}, connection: { application_name: "tcp-provisioning" } });
}

export function resolveDeps(deps: ProvisioningDeps): ResolvedDeps {
  return {
    connectTenant: defaultConnectTenant,
    now: () => Date.now(),
    sleep,
    newId: () => crypto.randomUUID(),
    random: Math.random,
    workerPrefix: "provisioning",
    leaseSeconds: 120,
    maxAttempts: 5,
    baseBackoffMs: 1_000,
    maxBackoffMs: 15_000,
    operationPollDelayMs: 1_500,
    operationTimeoutMs: 120_000,
    pauseAfterStepMs: 0,
    schema: tenantSchema,
    ...Object.fromEntries(Object.entries(deps).filter(([, v]) => v !== undefined)),
    graphqlEndpointUrl: deps.graphqlEndpointUrl ?? null,
  } as ResolvedDeps;
}

export async function loadTenant(deps: ResolvedDeps, tenantId: string): Promise<TenantRow | null> {
  const [row] = await asService(deps.sql, (tx) => tx<TenantRow[]>`
    select id, organization_id, strategy, region, plan, compute_size, status, provisioning_status,
           neon_project_id, neon_branch_id, neon_endpoint_id, neon_database_name,
           owner_direct_secret_id, owner_pooled_secret_id, app_direct_secret_id, app_pooled_secret_id,
           connection_info, lease_owner, lease_expires_at, created_at, updated_at
    from public.tenant_databases where id = ${tenantId}`);
  return row ?? null;
}

export function newTiming(): Timing {
  return { neonMs: 0, tenantSqlMs: 0 };
}

export function stepContext(deps: ResolvedDeps, tenant: TenantRow, workerId: string, attempt: number, memory: RunMemory, timing: Timing): StepContext {
  const timed = async <T>(key: keyof Timing, fn: () => Promise<T>): Promise<T> => {
    const started = deps.now();
    try {
      return await fn();
    } finally {
      timing[key] += deps.now() - started;
    }
  };
  const ctx: StepContext = {
    deps, tenant, workerId, attempt, memory, timing,
    neon: deps.gateway.forTenant(tenant.id),
    registry: (fn) => asService(deps.sql, fn),
    neonCall: (fn) => timed("neonMs", fn),
    async withTenantDb(kind, fn) {
      const url = await ctx.registry((tx) => getTenantConnectionForTenant(tx, { tenantId: tenant.id, kind }, { entryPoint: "provisioning-engine" }));
      return timed("tenantSqlMs", async () => {
        const sql = deps.connectTenant(url);
        try {
          return await fn(sql);
        } finally {
          await sql.end({ timeout: 2 }).catch(() => {});
        }
      });
    },
  };
  return ctx;
}
