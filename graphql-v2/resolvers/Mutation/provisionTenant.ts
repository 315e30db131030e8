import type { MutationResolvers } from "../../generated/resolvers-types.ts";
import { requireUser } from "../../context.ts";
import { idempotencyKeyOf, parseArgs, provisionTenantArgs } from "../../inputs.ts";
import type { ProvisionTenantRequest } from "../../services.ts";

/** Records the request and starts the provisioning engine; the client then polls `tenant`. */
export const provisionTenant: NonNullable<MutationResolvers["provisionTenant"]> = async (_parent, args, context) => {
  const caller = requireUser(context);
  const { input } = parseArgs(provisionTenantArgs, args);
  const idempotencyKey = idempotencyKeyOf(input.idempotencyKey, context.request);
  const request: ProvisionTenantRequest = { organizationId: input.organizationId, region: input.region };
  if (args.input.computeSize) request.computeSize = args.input.computeSize;
  if (args.input.plan) request.plan = args.input.plan;
  if (args.input.strategy) request.strategy = args.input.strategy;
  const result = await context.services.provisionTenant(caller, request, { idempotencyKey });
  context.logger.info("tenant provisioning requested", { organizationId: input.organizationId, tenantId: result.tenant.id, created: result.created });
  return result;
};
