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
import { requireUserOrService, type Authenticate } from "../auth.ts";
import type { Sql } from "../db.ts";
import { json, readJson, requireMethod, withErrorBoundary, type Handler } from "../http.ts";
import type { Logger } from "../log.ts";
import type { RateLimiter } from "../rate-limit.ts";
import { CREDENTIAL_KINDS } from "../registry/types.ts";
import { readConnectionStrings } from "../services/connection-strings.ts";

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
    const caller = requireUserOrService(await deps.authenticate(request), "Sign in first: reading a connection string needs your access token (Authorization: Bearer <token>).");
    const body = await readJson(request, DecryptConnectionStringBody);
    const { strings, remaining } = await readConnectionStrings(deps, caller, body.organizationId, [body.kind], { entryPoint: ENTRY_POINT, requestId });
    const subject = caller.role === "authenticated" ? caller.userId : "service_role";
    deps.logger.info("connection string served", { requestId, subject, organizationId: body.organizationId, kind: body.kind, durationMs: now() - started });
    return json({ organizationId: body.organizationId, kind: body.kind, connectionString: strings[body.kind] }, 200, { "RateLimit-Remaining": String(remaining) });
  }, deps.logger);

  return async (request) => {
    const response = await inner(request);
    for (const [name, value] of Object.entries(NO_STORE)) response.headers.set(name, value);
    return response;
  };
}
