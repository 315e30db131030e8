import type { MutationResolvers } from "../../generated/resolvers-types.ts";
import { AppError, validationError } from "../../../supabase/functions/_shared/errors.ts";
import { requireUser } from "../../context.ts";
import { deprovisionTenantArgs, parseArgs } from "../../inputs.ts";

/** Deletes the tenant database once the user has typed the organization's name. */
export const deprovisionTenant: NonNullable<MutationResolvers["deprovisionTenant"]> = async (_parent, args, context) => {
  const caller = requireUser(context);
  const { organizationId, confirm } = parseArgs(deprovisionTenantArgs, args);
  const current = await context.services.getTenant(caller, organizationId);
  if (!current) throw new AppError("NOT_FOUND", "This organization has no tenant database (or you are not a member of it).");
  if (confirm !== current.organizationName) {
    throw validationError("confirm", "confirm: type the organization's name exactly to delete its database.");
  }
  const tenant = await context.services.deprovision(caller, organizationId);
  context.logger.info("tenant deprovisioning requested", { organizationId, tenantId: tenant.id });
  return { tenant };
};
