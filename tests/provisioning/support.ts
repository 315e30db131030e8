/**
 * Provisioning test support: a Neon emulator on the run's Postgres (own state database), the
 * engine built in-process the way the function builds it, organizations with owners, and the
 * counts the convergence checks need (emulator projects, Vault secrets by tenant prefix).
 */
import { inject } from "vitest";
import postgres from "postgres";
import { startTestEmulator, startTestPostgres, type TestEmulator } from "../neon-emulator/setup.ts";
import { createNeonGateway, createRateBudget, type NeonGatewayRoot } from "../../supabase/functions/_shared/neon/index.ts";
import { createLogger } from "../../supabase/functions/_shared/log.ts";
import { checkNewTenantHealth, configureNeonDriver, createNeonSqlProbe, DEFAULT_HEALTH_CONFIG } from "../../supabase/functions/_shared/health/index.ts";
import type { Sql } from "../../supabase/functions/_shared/db.ts";
import { createProvisioningEngine, type ProvisioningDeps, type ProvisioningEngine } from "../../supabase/functions/_shared/provisioning/index.ts";
import { createOrg, createUser, registryClient, superuserClient, type TestUser } from "../registry/fixtures.ts";
import type { FaultConfig } from "../../local/neon-emulator/faults.ts";

export { registryClient, superuserClient };

export async function startEmulator(options: { operationDurationMs?: number; faults?: FaultConfig; rateLimit?: false } = {}): Promise<TestEmulator> {
  const server = await startTestPostgres();
  const emulator = await startTestEmulator(server, { operationDurationMs: options.operationDurationMs ?? 50, ...(options.rateLimit === false ? { rateLimit: false } : {}) });
  if (options.faults) emulator.setFaults(options.faults);
  return emulator;
}

export function testGateway(emulator: TestEmulator, overrides: { timeoutMs?: number } = {}): NeonGatewayRoot {
  return createNeonGateway({
    apiKey: emulator.apiKey, baseUrl: emulator.url, timeoutMs: overrides.timeoutMs ?? 5_000,
    budget: createRateBudget({ perMinute: 700, perSecondPerRoute: 40 }, { clock: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }),
    retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 12, maxElapsedMs: 30_000 },
    operationWait: { initialDelayMs: 30, maxDelayMs: 200 },
  });
}

export const quietLogger = () => createLogger({}, () => {}, "error");

export function testEngine(emulator: TestEmulator, sql: Sql, overrides: Partial<ProvisioningDeps> = {}): ProvisioningEngine {
  // The first health check probes through the serverless driver, pointed at the emulator's /sql.
  configureNeonDriver({ sqlHttpUrl: emulator.sqlHttpUrl });
  const gateway = testGateway(emulator);
  const health = { sql, neon: gateway, probe: createNeonSqlProbe(), config: DEFAULT_HEALTH_CONFIG, logger: quietLogger() };
  return createProvisioningEngine({
    sql, gateway, logger: quietLogger(), workerPrefix: "test",
    checkHealth: (tenantId) => checkNewTenantHealth(health, { tenantId }),
    leaseSeconds: 30, baseBackoffMs: 20, maxBackoffMs: 200, operationPollDelayMs: 150, maxAttempts: 8,
    graphqlEndpointUrl: "http://127.0.0.1:54321/functions/v1/graphql-v2",
    ...overrides,
  });
}

export async function ownedOrg(sql: Sql, label: string, plan = "starter"): Promise<{ org: { id: string; slug: string }; owner: TestUser }> {
  const owner = await createUser(sql, `${label}-owner`);
  const org = await createOrg(sql, [[owner, "owner"]], label, plan);
  return { org, owner };
}

/** Vault secrets named for a tenant (tenant:<id>:<kind>), counted as the superuser. */
export async function vaultSecretCount(tenantId: string): Promise<number> {
  const su = postgres(inject("superuserUrl"), { max: 1, onnotice: () => {} });
  try {
    const [row] = await su<{ n: number }[]>`select count(*)::int as n from vault.secrets where name like ${`tenant:${tenantId}:%`}`;
    return row!.n;
  } finally {
    await su.end();
  }
}

/** Emulator projects with exactly this name (through the emulator's API, as Neon would list them). */
export async function projectsNamed(emulator: TestEmulator, name: string): Promise<Array<{ id: string; name: string }>> {
  const res = await fetch(`${emulator.url}/projects?search=${encodeURIComponent(name)}&limit=400`, { headers: { Authorization: `Bearer ${emulator.apiKey}` } });
  const body = (await res.json()) as { projects: Array<{ id: string; name: string }> };
  return body.projects.filter((p) => p.name === name);
}

export async function tenantRow(sql: Sql, tenantId: string): Promise<{ status: string; neon_project_id: string | null; status_reason: string | null; provisioning_status: Record<string, { state: string; attempts: number }> }> {
  const [row] = await sql<any[]>`select status, neon_project_id, status_reason, provisioning_status from public.tenant_databases where id = ${tenantId}`;
  return row;
}

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
