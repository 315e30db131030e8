/**
 * POST /decrypt-connection-string  `{ organizationId, kind? }` with the caller's access token →
 * `{ organizationId, kind, connectionString }` for owners and admins of the organization.
 *
 * The client names the organization, never ciphertext: the seed design posted `encryptedString`,
 * which made the function a decryption oracle (anyone holding any ciphertext, from any tenant,
 * could have it decrypted) and put ciphertext in browsers. Here the registry looks the secret up
 * itself, inside one transaction run as the caller (role `authenticated` with their claims), so
 * `get_tenant_connection` decides from `auth.uid()` and writes the `connection.read` audit row.
 *
 * 401 without a user token, 403 FORBIDDEN for anyone but owners/admins (audited as
 * `connection.read_denied`), 404 NOT_FOUND without an active tenant, 429 RATE_LIMITED per user.
 * Every response carries `Cache-Control: no-store`; the string is never logged.
 */
import { z } from "zod";
import type { Authenticate } from "../auth.ts";
import { asService, withCaller, type Sql } from "../db.ts";
import { AppError, isAppError } from "../errors.ts";
import { json, readJson, requireMethod, withErrorBoundary, type Handler } from "../http.ts";
import type { Logger } from "../log.ts";
import type { RateLimiter } from "../rate-limit.ts";
import { recordAuditEvent } from "../registry/audit.ts";
import { getTenantConnection } from "../registry/credentials.ts";
import { CREDENTIAL_KINDS } from "../registry/types.ts";

export const ENTRY_POINT = "decrypt-connection-string";

export const DecryptConnectionStringBody = z.object({
  organizationId: z.uuid(),
  kind: z.enum(CREDENTIAL_KINDS).default("app_pooled"),
}).strict();

export interface DecryptConnectionStringDeps {
  /** Registry client (`createSqlClient(SUPABASE_DB_URL)`). */
  sql: Sql;
  authenticate: Authenticate;
  logger: Logger;
  /** Per-caller budget (key: user id, or `service_role`). */
  rateLimiter: RateLimiter;
  now?: () => number;
}

const NO_STORE: Record<string, string> = { "Cache-Control": "no-store", Pragma: "no-cache" };

export function createDecryptConnectionStringHandler(deps: DecryptConnectionStringDeps): Handler {
  const now = deps.now ?? Date.now;
  const inner = withErrorBoundary(async (request, requestId) => {
    const started = now();
    requireMethod(request, "POST");
    const caller = await deps.authenticate(request);
    if (caller.role === "anon") {
      throw new AppError("UNAUTHENTICATED", "Sign in first: reading a connection string needs your access token (Authorization: Bearer <token>).");
    }
    const subject = caller.role === "authenticated" ? caller.userId : "service_role";
    const budget = deps.rateLimiter.take(`${ENTRY_POINT}:${subject}`);
    if (!budget.allowed) {
      deps.logger.warn("connection string request rate-limited", { requestId, subject });
      throw new AppError("RATE_LIMITED", "Too many connection string requests. Wait and try again.", { retryAfterSeconds: budget.retryAfterSeconds });
    }
    const body = await readJson(request, DecryptConnectionStringBody);
    const audit = { entryPoint: ENTRY_POINT, requestId };

    let connectionString: string;
    try {
      connectionString = await withCaller(deps.sql, caller, (tx) => getTenantConnection(tx, { organizationId: body.organizationId, kind: body.kind }, audit));
    } catch (error) {
      if (isAppError(error) && error.code === "FORBIDDEN") {
        // The refused transaction rolled back; record the attempt on its own, best effort.
        await asService(deps.sql, (tx) => recordAuditEvent(tx, {
          action: "connection.read_denied",
          organizationId: body.organizationId,
          details: { kind: body.kind },
          onBehalfOfUserId: caller.role === "authenticated" ? caller.userId : null,
        }, audit)).catch((auditError: unknown) => deps.logger.error("could not audit a denied connection string request", { requestId, error: auditError }));
        deps.logger.warn("connection string refused", { requestId, subject, organizationId: body.organizationId, kind: body.kind });
        throw new AppError("FORBIDDEN", "Only owners and admins of this organization can read its connection strings.", {
          details: { reason: "not_owner_or_admin" },
        });
      }
      throw error;
    }

    deps.logger.info("connection string served", { requestId, subject, organizationId: body.organizationId, kind: body.kind, durationMs: now() - started });
    return json({ organizationId: body.organizationId, kind: body.kind, connectionString }, 200, {
      ...NO_STORE,
      "RateLimit-Remaining": String(budget.remaining),
    });
  }, deps.logger);

  return async (request) => {
    const response = await inner(request);
    for (const [name, value] of Object.entries(NO_STORE)) response.headers.set(name, value);
    return response;
  };
}
