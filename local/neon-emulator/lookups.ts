/** Record lookups that answer 404 the way the API does. */
import { badRequest, notFound } from "./errors.ts";
import type { EmulatorContext } from "./context.ts";
import type { BranchRecord, DatabaseRecord, EndpointRecord, ProjectRecord, RoleRecord } from "./state.ts";

export function findProject(ctx: EmulatorContext, projectId: string): ProjectRecord {
  const p = ctx.state.projects.get(projectId);
  if (!p) throw notFound("project");
  return p;
}

export function findBranch(ctx: EmulatorContext, projectId: string, branchId: string): BranchRecord {
  const b = ctx.state.branches.get(branchId);
  if (!b || b.project_id !== projectId) throw notFound("branch");
  return b;
}

export function findEndpoint(ctx: EmulatorContext, projectId: string, endpointId: string): EndpointRecord {
  const ep = ctx.state.endpoints.get(endpointId);
  if (!ep || ep.project_id !== projectId) throw notFound("endpoint");
  return ep;
}

export function findRole(ctx: EmulatorContext, branch: BranchRecord, name: string): RoleRecord {
  const r = ctx.state.roles.get(`${branch.id}/${name}`);
  if (!r) throw notFound("role");
  return r;
}

export function findDatabase(ctx: EmulatorContext, branch: BranchRecord, name: string): DatabaseRecord {
  const d = ctx.state.databases.get(`${branch.id}/${name}`);
  if (!d) throw notFound("database");
  return d;
}

/** Checks compute sizes and the suspend timeout the way Neon bounds them. */
export function checkComputeSettings(
  ctx: EmulatorContext,
  s: { autoscaling_limit_min_cu?: number; autoscaling_limit_max_cu?: number; suspend_timeout_seconds?: number },
): void {
  const { autoscaling_limit_min_cu: min, autoscaling_limit_max_cu: max, suspend_timeout_seconds: timeout } = s;
  if (min !== undefined && max !== undefined && min > max) {
    throw badRequest("autoscaling_limit_min_cu must be less than or equal to autoscaling_limit_max_cu");
  }
  // Neon: "The maximum permitted autoscaling range is 8 CU."
  if (min !== undefined && max !== undefined && max - min > 8) {
    throw badRequest("autoscaling range (autoscaling_limit_max_cu - autoscaling_limit_min_cu) must not exceed 8 CU");
  }
  if (timeout !== undefined && timeout > 0 && timeout < ctx.settings.minSuspendTimeoutSeconds) {
    throw badRequest(`suspend_timeout_seconds must be at least ${ctx.settings.minSuspendTimeoutSeconds}, or 0 (default) or -1 (never)`);
  }
}

/** Role names Postgres or Neon reserve. */
export function checkRoleName(name: string): void {
  if (name.length === 0) throw badRequest("role name must not be empty");
  if (/^pg_/i.test(name) || ["neon_superuser", "cloud_admin", "public", "none"].includes(name.toLowerCase())) {
    throw badRequest(`role name "${name}" is reserved`);
  }
}

export function checkDatabaseName(name: string): void {
  if (name.length === 0) throw badRequest("database name must not be empty");
}
