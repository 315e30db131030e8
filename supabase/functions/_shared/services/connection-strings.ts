/**
 * The one way a tenant's connection strings leave the registry (decrypt-connection-string and
 * graphql-v2's `tenantConnectionInfo`): a per-caller budget, then `get_tenant_connection` for each
 * kind in one transaction as the caller (owners and admins only; each read audited as
 * `connection.read`), and a refusal audited on its own as `connection.read_denied` (the refused
 * transaction rolled back). The strings are never logged.
 */
import type { Caller } from "../auth.ts";
import { asService, withCaller, type Sql } from "../db.ts";
import { AppError, isAppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { RateLimiter } from "../rate-limit.ts";
import { recordAuditEvent } from "../registry/audit.ts";
import { getTenantConnection } from "../registry/credentials.ts";
import type { AuditContext, CredentialKind } from "../registry/types.ts";

/** A person reads a connection string now and then: a burst of 10, then one every 6 s. */
export const CONNECTION_READ_BUDGET = { capacity: 10, refillPerSecond: 1 / 6 } as const;

export interface ConnectionReadDeps {
  sql: Sql;
  logger: Logger;
  /** Per-caller budget (key: entry point + user id, or `service_role`). */
  rateLimiter: RateLimiter;
}

export interface ConnectionStrings<K extends CredentialKind> {
  strings: Record<K, string>;
  /** Reads left in the caller's budget. */
  remaining: number;
}

/** Reads the `kinds` of connection string of the organization's tenant as `caller`. */
export async function readConnectionStrings<K extends CredentialKind>(
  deps: ConnectionReadDeps, caller: Exclude<Caller, { role: "anon" }>, organizationId: string, kinds: readonly K[], audit: AuditContext & { requestId: string },
): Promise<ConnectionStrings<K>> {
  const subject = caller.role === "authenticated" ? caller.userId : "service_role";
  const budget = deps.rateLimiter.take(`${audit.entryPoint}:${subject}`);
  if (!budget.allowed) {
    deps.logger.warn("connection string request rate-limited", { requestId: audit.requestId, subject });
    throw new AppError("RATE_LIMITED", "Connection strings were requested too often. Wait a moment and try again.", { retryAfterSeconds: budget.retryAfterSeconds });
  }
  try {
    const values = await withCaller(deps.sql, caller, (tx) => Promise.all(kinds.map((kind) => getTenantConnection(tx, { organizationId, kind }, audit))));
    const strings = Object.fromEntries(kinds.map((kind, i) => [kind, values[i]!])) as Record<K, string>;
    return { strings, remaining: budget.remaining };
  } catch (error) {
    if (!isAppError(error) || error.code !== "FORBIDDEN") throw error;
    await asService(deps.sql, (tx) => recordAuditEvent(tx, {
      action: "connection.read_denied",
      organizationId,
      details: { kinds: [...kinds] },
      onBehalfOfUserId: caller.role === "authenticated" ? caller.userId : null,
    }, audit)).catch((auditError: unknown) => deps.logger.error("could not audit a denied connection string request", { requestId: audit.requestId, error: auditError }));
    deps.logger.warn("connection string refused", { requestId: audit.requestId, subject, organizationId, kinds });
    throw new AppError("FORBIDDEN", "Only owners and admins of this organization can read its connection strings.", {
      details: { reason: "not_owner_or_admin" },
    });
  }
}
