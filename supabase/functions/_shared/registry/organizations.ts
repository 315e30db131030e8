/** Organizations and membership (registry migration 20261123000100). */
import type { AuditContext, OrgRole, Queryable, TenantPlan } from "./types.ts";

export interface OrganizationSummary {
  id: string;
  slug: string;
  name: string;
  plan: TenantPlan;
  role: OrgRole;
  createdAt: Date;
}

/**
 * Creates an organization owned by the caller (withCaller) or by `ownerUserId` (asService).
 * CONFLICT when the slug is taken, including by a deleted organization (slugs are never reused).
 */
export async function createOrganization(tx: Queryable, input: { slug: string; name: string; ownerUserId?: string }, audit: AuditContext): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    select public.create_organization(${input.slug}, ${input.name}, ${input.ownerUserId ?? null}, ${audit.entryPoint}, ${audit.requestId ?? null}) as id`;
  return row!.id;
}

/** Owners (or service) delete an organization without a live tenant; leaves a tombstone. */
export async function deleteOrganization(tx: Queryable, organizationId: string, audit: AuditContext): Promise<void> {
  await tx`select public.delete_organization(${organizationId}, ${audit.entryPoint}, ${audit.requestId ?? null})`;
}

/** Whether the calling user has one of `roles` (any role when omitted) in the organization. */
export async function hasOrgRole(tx: Queryable, organizationId: string, roles?: readonly OrgRole[]): Promise<boolean> {
  const [row] = await tx<{ allowed: boolean }[]>`select public.has_org_role(${organizationId}, ${roles ? [...roles] : null}::text[]) as allowed`;
  return row!.allowed;
}

/** The caller's live organizations with their role (RLS limits rows to their memberships). */
export async function listMyOrganizations(tx: Queryable): Promise<OrganizationSummary[]> {
  const rows = await tx<{ id: string; slug: string; name: string; plan: TenantPlan; role: OrgRole; created_at: Date }[]>`
    select o.id, o.slug, o.name, o.plan, m.role, o.created_at
    from public.organizations o
    join public.organization_members m on m.organization_id = o.id and m.user_id = auth.uid()
    order by o.slug`;
  return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, plan: r.plan, role: r.role, createdAt: r.created_at }));
}
