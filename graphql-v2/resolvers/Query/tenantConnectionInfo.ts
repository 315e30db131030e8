import type { QueryResolvers } from "../../generated/resolvers-types.ts";
import { requireUser } from "../../context.ts";
import { organizationArgs, parseArgs } from "../../inputs.ts";

/**
 * Connection details with the password (owners and admins; the service checks the role through
 * the registry and audits the read). The response is `Cache-Control: no-store` like every answer.
 */
export const tenantConnectionInfo: NonNullable<QueryResolvers["tenantConnectionInfo"]> = async (_parent, args, context) => {
  const caller = requireUser(context);
  const { organizationId } = parseArgs(organizationArgs, args);
  return await context.services.getConnectionInfo(caller, organizationId);
};
