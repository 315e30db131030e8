import type { TenantConnectionResolvers } from "../generated/resolvers-types.ts";

export const TenantConnection: TenantConnectionResolvers = {
  pageInfo: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.endCursor }),
};
