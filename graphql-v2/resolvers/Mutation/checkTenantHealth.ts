import type { MutationResolvers } from "../../generated/resolvers-types.ts";
import { requireUser } from "../../context.ts";
import { organizationArgs, parseArgs } from "../../inputs.ts";

/** Runs a health check now ("Check now"); the service rate-limits it. */
export const checkTenantHealth: NonNullable<MutationResolvers["checkTenantHealth"]> = async (_parent, args, context) => {
  const caller = requireUser(context);
  const { organizationId } = parseArgs(organizationArgs, args);
  return { health: await context.services.checkHealth(caller, organizationId) };
};
