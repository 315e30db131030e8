/**
 * Step verify_endpoint: connect as the app role with the stored (sslmode=require) string and prove
 * what the tenant relies on: the session is TLS-encrypted, and the app role cannot run DDL. Then
 * record the TLS and GraphQL fields on the tenant.
 */
import { updateTenantResources } from "../../registry/tenants.ts";
import { ProvisioningStepError } from "../failures.ts";
import type { StepFn } from "../types.ts";
import { deleteDuplicateProjects } from "./dedupe-projects.ts";

export const verifyEndpoint: StepFn = async (ctx) => {
  const probe = await ctx.withTenantDb("app_direct", async (sql) => {
    const [row] = await sql<{ ssl: boolean | null; version: string | null; can_create_in_public: boolean; can_create_schema: boolean }[]>`
      select (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as ssl,
             (select version from pg_stat_ssl where pid = pg_backend_pid()) as version,
             has_schema_privilege('public', 'CREATE') as can_create_in_public,
             has_database_privilege(current_database(), 'CREATE') as can_create_schema`;
    return row!;
  });
  if (probe.ssl !== true) {
    await ctx.registry((tx) => updateTenantResources(tx, ctx.tenant.id, { ssl_status: "failed" }, ctx.workerId));
    throw new ProvisioningStepError("TENANT_TLS_NOT_ENFORCED", "The app connection to the tenant database is not encrypted.");
  }
  if (probe.can_create_in_public || probe.can_create_schema) {
    throw new ProvisioningStepError("APP_ROLE_TOO_PRIVILEGED", "The app role may create objects in the tenant database.");
  }
  const duplicatesDeleted = await deleteDuplicateProjects(ctx);
  const base = ctx.deps.graphqlEndpointUrl;
  await ctx.registry((tx) => updateTenantResources(tx, ctx.tenant.id, {
    ssl_mode: "require", ssl_status: "verified",
    ...(base ? { graphql_endpoint_url: base, graphql_endpoint_status: "ready" as const } : { graphql_endpoint_status: "disabled" as const }),
  }, ctx.workerId));
  return { tls: probe.version, graphql: base ? "ready" : "disabled", duplicatesDeleted };
};
