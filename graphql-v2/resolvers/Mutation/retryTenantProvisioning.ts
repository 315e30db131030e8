import type { MutationResolvers } from "../../generated/resolvers-types.ts";
import { requireUser } from "../../context.ts";
import { organizationArgs, parseArgs } from "../../inputs.ts";

/** Restarts a FAILED provisioning from `step` (default: the first failed step). */
export const retryTenantProvisioning: NonNullable<MutationResolvers["retryTenantProvisioning"]> = async (_parent, args, context) => {
  const caller = requireUser(context);
  const { organizationId } = parseArgs(organizationArgs, { organizationId: args.organizationId });
  const tenant = await context.services.retryProvisioning(caller, organizationId, args.step ?? null);
  context.logger.info("tenant provisioning retried", { organizationId, step: args.step ?? null });
  return { tenant };
};
