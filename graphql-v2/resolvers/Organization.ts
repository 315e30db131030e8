import type { OrganizationResolvers } from "../generated/resolvers-types.ts";

export const Organization: OrganizationResolvers = {
  /** Batched: one `getTenantsByOrgIds` for every organization in the response. */
  tenant: (organization, _args, context) => context.loaders.tenantByOrgId.load(organization.id),
};
