/**
 * Step create_database: the tenant's Neon project (strategy `project`) or a branch of the template
 * project (strategy `branch`). Idempotent: a recorded id is checked first; after any earlier
 * attempt (a crash, a lost response) we look the resource up by its deterministic name before
 * creating, and keep the oldest of duplicates. A clean first attempt makes exactly one call.
 */
import { NeonApiError } from "../../neon/index.ts";
import { updateTenantResources } from "../../registry/tenants.ts";
import { computeFor } from "../compute.ts";
import { buildUri } from "../connection-uris.ts";
import { pickKeeper, tenantAnnotations, tenantResourceName, TENANT_DATABASE_NAME, TENANT_OWNER_ROLE } from "../names.ts";
import type { StepContext, StepFn } from "../types.ts";
import { ensureTemplateProject } from "./template-project.ts";

async function adoptExistingProject(ctx: StepContext, name: string): Promise<Record<string, unknown> | null> {
  const found = await ctx.neonCall(() => ctx.neon.findProjectByName(name));
  const { keep, duplicates } = pickKeeper(found);
  if (!keep) return null;
  for (const dup of duplicates) {
    ctx.deps.logger.warn("deleting duplicate tenant project", { tenantId: ctx.tenant.id, projectId: dup.id, kept: keep.id });
    await ctx.neonCall(() => ctx.neon.deleteProject(dup.id));
  }
  // The list item names no branch or endpoint: one more call, on this recovery path only.
  const endpoint = (await ctx.neonCall(() => ctx.neon.listEndpoints(keep.id)))[0];
  await ctx.registry((tx) => updateTenantResources(tx, ctx.tenant.id, {
    neon_project_id: keep.id, neon_database_name: TENANT_DATABASE_NAME,
    ...(endpoint ? { neon_branch_id: endpoint.branch_id, neon_endpoint_id: endpoint.id } : {}),
  }, ctx.workerId));
  return { projectId: keep.id, branchId: endpoint?.branch_id ?? null, endpointId: endpoint?.id ?? null, adopted: true, duplicatesDeleted: duplicates.length };
}

async function createProject(ctx: StepContext): Promise<Record<string, unknown>> {
  const { tenant } = ctx;
  const name = tenantResourceName(tenant.id);
  if (tenant.neon_project_id && tenant.neon_branch_id && (await ctx.neonCall(() => ctx.neon.getProject(tenant.neon_project_id!)))) {
    return { projectId: tenant.neon_project_id, branchId: tenant.neon_branch_id, adopted: true };
  }
  if (ctx.attempt > 1) {
    const adopted = await adoptExistingProject(ctx, name);
    if (adopted) return adopted;
  }
  const { compute, historyRetentionSeconds } = computeFor(tenant.plan, tenant.compute_size);
  let created;
  try {
    created = await ctx.neonCall(() => ctx.neon.createProject({
      name, regionId: tenant.region, compute, historyRetentionSeconds,
      databaseName: TENANT_DATABASE_NAME, roleName: TENANT_OWNER_ROLE, annotations: tenantAnnotations(tenant),
    }));
  } catch (error) {
    // The create may have happened (lost response): find it by name rather than create twice.
    if (error instanceof NeonApiError && error.outcomeUnknown) {
      const adopted = await adoptExistingProject(ctx, name);
      if (adopted) return adopted;
    }
    throw error;
  }
  const params = created.connectionUris[0]?.connection_parameters;
  ctx.memory.operations = created.operations;
  if (params) {
    ctx.memory.ownerUri = buildUri({ role: params.role, password: params.password, host: params.host, database: params.database });
    ctx.memory.poolerHost = params.pooler_host;
  }
  const endpoint = created.endpoints[0];
  await ctx.registry((tx) => updateTenantResources(tx, tenant.id, {
    neon_project_id: created.project.id, neon_branch_id: created.branch.id,
    ...(endpoint ? { neon_endpoint_id: endpoint.id } : {}), neon_database_name: TENANT_DATABASE_NAME,
  }, ctx.workerId));
  return { projectId: created.project.id, branchId: created.branch.id, endpointId: endpoint?.id ?? null, operationIds: created.operations.map((o) => o.id) };
}

async function createBranch(ctx: StepContext): Promise<Record<string, unknown>> {
  const { tenant } = ctx;
  const templateProjectId = await ensureTemplateProject(ctx);
  const { compute } = computeFor(tenant.plan, tenant.compute_size);
  // Create-or-get: branch names are unique per project, so a repeat returns the existing one.
  const result = await ctx.neonCall(() => ctx.neon.createBranch(templateProjectId, {
    name: tenantResourceName(tenant.id), endpoint: compute, annotations: tenantAnnotations(tenant), initSource: "parent-data",
  }));
  ctx.memory.operations = result.operations;
  const endpoint = result.endpoints[0];
  await ctx.registry((tx) => updateTenantResources(tx, tenant.id, {
    neon_project_id: templateProjectId, neon_branch_id: result.branch.id,
    ...(endpoint ? { neon_endpoint_id: endpoint.id } : {}), neon_database_name: TENANT_DATABASE_NAME,
  }, ctx.workerId));
  return { projectId: templateProjectId, branchId: result.branch.id, endpointId: endpoint?.id ?? null, created: result.created, operationIds: result.operations.map((o) => o.id) };
}

export const createDatabase: StepFn = (ctx) => (ctx.tenant.strategy === "branch" ? createBranch(ctx) : createProject(ctx));
