import type { QueryResolvers } from "../../generated/resolvers-types.ts";
import { requireUser } from "../../context.ts";

/** The caller's organizations; `Organization.tenant` is batched (one service call for the list). */
export const myOrganizations: NonNullable<QueryResolvers["myOrganizations"]> = async (_parent, _args, context) => {
  const caller = requireUser(context);
  return await context.services.myOrganizations(caller);
};
