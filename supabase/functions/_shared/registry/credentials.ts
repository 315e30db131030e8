/**
 * Tenant credentials (registry migration 20261123000600). Connection strings live only in Vault;
 * these wrappers never log or return them anywhere but to the caller.
 */
import type { AuditContext, CredentialKind, Queryable } from "./types.ts";

/**
 * Owners/admins (withCaller) or service: the connection string of the organization's ACTIVE tenant.
 * Audited as `connection.read` with the caller and `audit.entryPoint`. FORBIDDEN for other callers,
 * NOT_FOUND without an active tenant or stored credential.
 */
export async function getTenantConnection(tx: Queryable, input: { organizationId: string; kind?: CredentialKind }, audit: AuditContext): Promise<string> {
  const [row] = await tx<{ url: string }[]>`
    select public.get_tenant_connection(${input.organizationId}, ${input.kind ?? "app_pooled"}, ${audit.entryPoint}, ${audit.requestId ?? null}) as url`;
  return row!.url;
}

/** Service: a tenant's connection string in any status but deleted (engine, health checker). Audited. */
export async function getTenantConnectionForTenant(tx: Queryable, input: { tenantId: string; kind: CredentialKind }, audit: AuditContext): Promise<string> {
  const [row] = await tx<{ url: string }[]>`
    select public.get_tenant_connection_for_tenant(${input.tenantId}, ${input.kind}, ${audit.entryPoint}, ${audit.requestId ?? null}) as url`;
  return row!.url;
}

/**
 * Service: store (create_secret) or rotate (update_secret) one connection string under
 * `tenant:<tenantId>:<kind>`; bumps credentials_version so connection caches revalidate.
 * Returns the Vault secret id.
 */
export async function storeTenantCredentials(
  tx: Queryable,
  input: { tenantId: string; kind: CredentialKind; connectionString: string; workerId?: string | null },
  audit: AuditContext = { entryPoint: "provisioning-engine" },
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    select public.store_tenant_credentials(${input.tenantId}, ${input.kind}, ${input.connectionString}, ${input.workerId ?? null},
      ${audit.entryPoint}, ${audit.requestId ?? null}) as id`;
  return row!.id;
}

/** Service: delete every Vault secret of a tenant; returns how many were deleted. */
export async function deleteTenantCredentials(tx: Queryable, input: { tenantId: string; workerId?: string | null }, audit: AuditContext = { entryPoint: "provisioning-engine" }): Promise<number> {
  const [row] = await tx<{ n: number }[]>`
    select public.delete_tenant_credentials(${input.tenantId}, ${input.workerId ?? null}, ${audit.entryPoint}, ${audit.requestId ?? null}) as n`;
  return row!.n;
}

export interface ConnectionInfo {
  tenantId: string;
  kind: CredentialKind;
  stored: boolean;
  username: string | null;
  host: string | null;
  port: number | null;
  database: string | null;
  sslmode: string | null;
}

/** Owners/admins (or service): the non-secret parts of each credential kind. Never a password. */
export async function getTenantConnectionInfo(tx: Queryable, organizationId: string): Promise<ConnectionInfo[]> {
  const rows = await tx<{ tenant_id: string; kind: CredentialKind; stored: boolean; username: string | null; host: string | null; port: number | null; database: string | null; sslmode: string | null }[]>`
    select tenant_id, kind, stored, username, host, port, database, sslmode from public.get_tenant_connection_info(${organizationId})`;
  return rows.map((r) => ({ tenantId: r.tenant_id, kind: r.kind, stored: r.stored, username: r.username, host: r.host, port: r.port, database: r.database, sslmode: r.sslmode }));
}
