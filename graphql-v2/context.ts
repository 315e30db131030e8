/**
 * What every resolver receives. Built once per operation by the yoga context factory in
 * `server.ts`: the verified caller, the request id (also in every error's `extensions.requestId`
 * and the `x-request-id` header), a logger bound to it, the services and per-request batchers.
 */
import { AppError } from "../supabase/functions/_shared/errors.ts";
import type { Caller } from "../supabase/functions/_shared/auth.ts";
import type { Logger } from "../supabase/functions/_shared/log.ts";
import { createBatcher, type Batcher } from "./batch.ts";
import type { ServiceCaller, TenantRecord, TenantServices } from "./services.ts";

export interface Loaders {
  /** Organization id → its tenant (null if none), batched through `getTenantsByOrgIds`. */
  tenantByOrgId: Batcher<string, TenantRecord>;
}

export interface GraphQLContext {
  caller: Caller;
  requestId: string;
  logger: Logger;
  services: TenantServices;
  loaders: Loaders;
  /** The HTTP request (headers such as `Idempotency-Key`). */
  request: Request;
}

export function createLoaders(services: TenantServices, caller: Caller, requestId: string): Loaders {
  return {
    tenantByOrgId: createBatcher(async (organizationIds: readonly string[]) => {
      const tenants = await services.getTenantsByOrgIds(requireUserCaller(caller, requestId), organizationIds);
      return new Map(tenants.map((tenant) => [tenant.organizationId, tenant]));
    }),
  };
}

/** Every field of the API needs a signed-in user: anonymous → UNAUTHENTICATED. */
export function requireUser(context: Pick<GraphQLContext, "caller" | "requestId">): ServiceCaller {
  return requireUserCaller(context.caller, context.requestId);
}

function requireUserCaller(caller: Caller, requestId: string): ServiceCaller {
  if (caller.role === "authenticated") return { ...caller, requestId };
  if (caller.role === "anon") {
    throw new AppError("UNAUTHENTICATED", "Sign in first: send the user's access token as `Authorization: Bearer <token>`.");
  }
  throw new AppError("FORBIDDEN", "This API acts for signed-in users; service callers use the edge functions instead.");
}
