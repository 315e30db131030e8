/**
 * Step store_credentials: four connection strings into Vault (registry store_tenant_credentials,
 * secret names tenant:<id>:<kind>): the owner role (migrations) and a least-privilege app role
 * (the application), each direct and pooled. Idempotent per kind: a kind already in Vault is kept
 * (its pooled twin derived from it); the owner password, returned by Neon only on create, is
 * reset when a crash lost it; an app role that exists already (409) gets its password reset.
 */
import { NeonApiError } from "../../neon/index.ts";
import { getTenantConnectionForTenant, storeTenantCredentials } from "../../registry/credentials.ts";
import type { CredentialKind } from "../../registry/types.ts";
import { pooledUri, withSslRequire } from "../connection-uris.ts";
import { ProvisioningStepError } from "../failures.ts";
import { TENANT_APP_ROLE, TENANT_DATABASE_NAME, TENANT_OWNER_ROLE } from "../names.ts";
import type { StepContext, StepFn } from "../types.ts";

const AUDIT = { entryPoint: "provisioning-engine" };

function ids(ctx: StepContext): { projectId: string; branchId: string } {
  const { neon_project_id: projectId, neon_branch_id: branchId } = ctx.tenant;
  if (!projectId || !branchId) throw new ProvisioningStepError("NEON_RESOURCE_MISSING", "No Neon project/branch is recorded for this tenant.");
  return { projectId, branchId };
}

/** The role's direct URI with a fresh password (Neon returns the current one in the URI). */
async function uriAfterReset(ctx: StepContext, role: string): Promise<string> {
  const { projectId, branchId } = ids(ctx);
  await ctx.neonCall(() => ctx.neon.resetRolePassword(projectId, branchId, role));
  return ctx.neonCall(() => ctx.neon.getConnectionUri({ projectId, branchId, databaseName: TENANT_DATABASE_NAME, roleName: role, pooled: false }));
}

async function ownerUri(ctx: StepContext): Promise<string> {
  // Strategy branch: the branch inherited the template's owner password; never share it.
  if (ctx.memory.ownerUri && ctx.tenant.strategy === "project") return ctx.memory.ownerUri;
  return uriAfterReset(ctx, TENANT_OWNER_ROLE);
}

async function appUri(ctx: StepContext): Promise<string> {
  const { projectId, branchId } = ids(ctx);
  try {
    await ctx.neonCall(() => ctx.neon.createRole(projectId, branchId, TENANT_APP_ROLE));
  } catch (error) {
    // 409: created by an earlier attempt whose password we lost. An unknown outcome is retried
    // as a whole step: the next createRole answers 409 if this one did happen.
    if (!(error instanceof NeonApiError && error.kind === "conflict")) throw error;
    return uriAfterReset(ctx, TENANT_APP_ROLE);
  }
  // The API names the role; the URI carries the login name the server knows, and the password.
  return ctx.neonCall(() => ctx.neon.getConnectionUri({ projectId, branchId, databaseName: TENANT_DATABASE_NAME, roleName: TENANT_APP_ROLE, pooled: false }));
}

async function storePair(ctx: StepContext, direct: CredentialKind, pooled: CredentialKind, source: () => Promise<string>): Promise<"kept" | "stored"> {
  const has = (k: CredentialKind) => ctx.tenant[`${k}_secret_id` as const] !== null;
  if (has(direct) && has(pooled)) return "kept";
  const uri = has(direct)
    ? await ctx.registry((tx) => getTenantConnectionForTenant(tx, { tenantId: ctx.tenant.id, kind: direct }, AUDIT))
    : withSslRequire(await source());
  await ctx.registry(async (tx) => {
    if (!has(direct)) await storeTenantCredentials(tx, { tenantId: ctx.tenant.id, kind: direct, connectionString: uri, workerId: ctx.workerId }, AUDIT);
    await storeTenantCredentials(tx, { tenantId: ctx.tenant.id, kind: pooled, connectionString: pooledUri(uri, ctx.memory.poolerHost), workerId: ctx.workerId }, AUDIT);
  });
  return "stored";
}

export const storeCredentials: StepFn = async (ctx) => {
  const owner = await storePair(ctx, "owner_direct", "owner_pooled", () => ownerUri(ctx));
  const app = await storePair(ctx, "app_direct", "app_pooled", () => appUri(ctx));
  return { owner, app };
};
