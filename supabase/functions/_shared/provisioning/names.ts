/**
 * Deterministic Neon names and annotations, derived from the tenant id only. Crash recovery and
 * reconcile find what exists by these names (Neon project names are not unique, branch names are
 * unique per project), so they must never depend on anything but the tenant id.
 */
import type { ProjectListItem } from "../neon/index.ts";

/** Prefix of every Neon project/branch this control plane creates. */
export const NAME_PREFIX = "tcp-";

/** Project of a tenant on the `project` strategy; branch of a tenant on the `branch` strategy. */
export function tenantResourceName(tenantId: string): string {
  return `${NAME_PREFIX}${tenantId.toLowerCase()}`;
}

/** The shared project holding the schema-template branch (strategy `branch`). */
export const TEMPLATE_PROJECT_NAME = `${NAME_PREFIX}template`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The tenant id a Neon resource name belongs to, or null when it is not one of ours. */
export function tenantIdFromName(name: string): string | null {
  if (!name.startsWith(NAME_PREFIX)) return null;
  const id = name.slice(NAME_PREFIX.length);
  return UUID.test(id) ? id : null;
}

/** Annotations on the tenant's branch: who it belongs to, for humans and for reconcile. */
export function tenantAnnotations(tenant: { id: string; organization_id: string }): Record<string, string> {
  return { managed_by: "tenant-control-plane", tenant_id: tenant.id, organization_id: tenant.organization_id };
}

/** Database and roles inside every tenant database. */
export const TENANT_DATABASE_NAME = "neondb";
export const TENANT_OWNER_ROLE = "neondb_owner";
export const TENANT_APP_ROLE = "tenant_app";

/**
 * When a lost response made us create a project twice, keep the oldest (ties: smallest id) so
 * every worker and reconcile pick the same one; the rest are duplicates to delete.
 */
export function pickKeeper<T extends Pick<ProjectListItem, "id" | "created_at">>(projects: readonly T[]): { keep: T | null; duplicates: T[] } {
  const sorted = [...projects].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  return { keep: sorted[0] ?? null, duplicates: sorted.slice(1) };
}
