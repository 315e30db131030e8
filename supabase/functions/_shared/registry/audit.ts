/** The audit log (registry migration 20261123000200). */
import type { AuditContext, Queryable } from "./types.ts";

export interface AuditEvent {
  action: string;
  organizationId?: string | null;
  tenantId?: string | null;
  /** Facts about the action. Never secrets (they are redacted in the database as well). */
  details?: Record<string, unknown>;
  /** Service code recording what a user did or tried: the row names this user as the actor. */
  onBehalfOfUserId?: string | null;
}

/** Service: append an audit row, e.g. `connection.read_denied`; the actor comes from the transaction's claims (or `onBehalfOfUserId`). */
export async function recordAuditEvent(tx: Queryable, event: AuditEvent, audit: AuditContext): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    select public.record_audit_event(${event.action}, ${event.organizationId ?? null}, ${event.tenantId ?? null}, ${audit.entryPoint},
      ${audit.requestId ?? null}, ${JSON.stringify(event.details ?? {})}::text::jsonb, ${event.onBehalfOfUserId ?? null}) as id`;
  return String(row!.id);
}

export interface AuditLogEntry {
  id: string;
  occurredAt: Date;
  /** User id, or `service_role` / `system`. */
  actor: string;
  actorUserId: string | null;
  action: string;
  organizationId: string | null;
  tenantId: string | null;
  entryPoint: string;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** Newest first. RLS: owners/admins of the organization (service sees all). */
export async function listAuditLog(tx: Queryable, organizationId: string, options: { limit?: number; beforeId?: string; action?: string } = {}): Promise<AuditLogEntry[]> {
  const rows = await tx<{
    id: string; occurred_at: Date; actor: string; actor_user_id: string | null; action: string; organization_id: string | null; tenant_id: string | null;
    entry_point: string; request_id: string | null; details: Record<string, unknown>;
  }[]>`
    select id, occurred_at, actor, actor_user_id, action, organization_id, tenant_id, entry_point, request_id, details
    from public.audit_log
    where organization_id = ${organizationId}
      and (${options.beforeId ?? null}::bigint is null or id < ${options.beforeId ?? null}::bigint)
      and (${options.action ?? null}::text is null or action = ${options.action ?? null}::text)
    order by id desc
    limit ${Math.min(Math.max(options.limit ?? 50, 1), 1000)}`;
  return rows.map((r) => ({
    id: String(r.id), occurredAt: r.occurred_at, actor: r.actor, actorUserId: r.actor_user_id, action: r.action, organizationId: r.organization_id,
    tenantId: r.tenant_id, entryPoint: r.entry_point, requestId: r.request_id, details: r.details,
  }));
}
