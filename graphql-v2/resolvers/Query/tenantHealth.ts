import type { QueryResolvers } from "../../generated/resolvers-types.ts";
import { requireUser } from "../../context.ts";
import { parseArgs, tenantHealthArgs } from "../../inputs.ts";

/** Latest check and hourly trend (HealthDashboard). */
export const tenantHealth: NonNullable<QueryResolvers["tenantHealth"]> = async (_parent, args, context) => {
  const caller = requireUser(context);
  const { organizationId, trendHours } = parseArgs(tenantHealthArgs, args);
  return await context.services.getHealth(caller, organizationId, { trendHours });
};
