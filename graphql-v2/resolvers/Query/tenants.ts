import type { QueryResolvers } from "../../generated/resolvers-types.ts";
import { requireUser } from "../../context.ts";
import { parseArgs, tenantsArgs } from "../../inputs.ts";

/** Every tenant, paged (TenantMonitor). The service refuses callers who are not operators. */
export const tenants: NonNullable<QueryResolvers["tenants"]> = async (_parent, args, context) => {
  const caller = requireUser(context);
  const { first, after } = parseArgs(tenantsArgs, args);
  return await context.services.listTenants(caller, { status: args.status ?? null, first, after });
};
