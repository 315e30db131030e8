import type { QueryResolvers } from "../../generated/resolvers-types.ts";
import { requireUser } from "../../context.ts";
import { organizationArgs, parseArgs } from "../../inputs.ts";

/** The organization's tenant, or null (none yet, or RLS hides it). */
export const tenant: NonNullable<QueryResolvers["tenant"]> = async (_parent, args, context) => {
  const caller = requireUser(context);
  const { organizationId } = parseArgs(organizationArgs, args);
  return await context.services.getTenant(caller, organizationId);
};
