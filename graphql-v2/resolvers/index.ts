/** The resolver map: one file per root field, object types and enums beside them. */
import type { Resolvers } from "../generated/resolvers-types.ts";
import * as enums from "./enums.ts";
import { DateTime } from "./scalars.ts";
import { Organization } from "./Organization.ts";
import { Tenant } from "./Tenant.ts";
import { TenantConnection } from "./TenantConnection.ts";
import { myOrganizations } from "./Query/myOrganizations.ts";
import { tenant } from "./Query/tenant.ts";
import { tenantConnectionInfo } from "./Query/tenantConnectionInfo.ts";
import { tenantHealth } from "./Query/tenantHealth.ts";
import { tenants } from "./Query/tenants.ts";
import { checkTenantHealth } from "./Mutation/checkTenantHealth.ts";
import { deprovisionTenant } from "./Mutation/deprovisionTenant.ts";
import { provisionTenant } from "./Mutation/provisionTenant.ts";
import { retryTenantProvisioning } from "./Mutation/retryTenantProvisioning.ts";

/** Typed by codegen; `DateTime` is a plain scalar config, applied by graphql-tools. */
export const resolvers: Omit<Resolvers, "DateTime"> & { DateTime: typeof DateTime } = {
  Query: { myOrganizations, tenant, tenantConnectionInfo, tenantHealth, tenants },
  Mutation: { provisionTenant, retryTenantProvisioning, checkTenantHealth, deprovisionTenant },
  Organization,
  Tenant,
  TenantConnection,
  DateTime,
  ...enums,
};
