/** Projects: create (with its first branch, role, database and endpoint), list, get, delete. */
import type { EmulatorContext, Handler } from "./context.ts";
import { ApiError, MESSAGES, badRequest } from "./errors.ts";
import { branchKey, newBranchId, newDatabaseId, newEndpointId, newPassword, newProjectId, physicalName } from "./ids.ts";
import { checkComputeSettings, checkDatabaseName, checkRoleName, findProject } from "./lookups.ts";
import { encodeCursor, page } from "./paging.ts";
import { deprovisionBranch, provisionRootBranch } from "./provisioning.ts";
import type { BranchRecord, DatabaseRecord, EndpointRecord, ProjectRecord, RoleRecord } from "./state.ts";
import { branchView, databaseView, endpointView, projectActivityFacts, projectListItemView, projectView, roleView } from "./views.ts";

export const createProject: Handler = async (ctx, req) => {
  const p = req.body.project as Record<string, any>;
  const count = ctx.state.projects.size + ctx.creatingProjects.count;
  if (count >= ctx.settings.projectsLimit) {
    throw new ApiError(422, MESSAGES.projectsLimit(ctx.settings.projectsLimit, count), "PROJECTS_LIMIT_EXCEEDED");
  }
  const region = p.region_id ?? ctx.settings.regions.find((r) => r.default)?.region_id ?? "aws-us-east-2";
  if (!ctx.settings.regions.some((r) => r.region_id === region)) throw badRequest(`region ${region} is not available`);

  const defaults = { ...(p.default_endpoint_settings ?? {}) };
  // Deprecated top-level limits still work on Neon; they fill what the new field leaves out.
  defaults.autoscaling_limit_min_cu ??= p.autoscaling_limit_min_cu;
  defaults.autoscaling_limit_max_cu ??= p.autoscaling_limit_max_cu;
  const minCu: number = defaults.autoscaling_limit_min_cu ?? 0.25;
  const maxCu: number = defaults.autoscaling_limit_max_cu ?? Math.max(minCu, 0.25);
  const suspendTimeout: number = defaults.suspend_timeout_seconds ?? 0;
  checkComputeSettings(ctx, { autoscaling_limit_min_cu: minCu, autoscaling_limit_max_cu: maxCu, suspend_timeout_seconds: suspendTimeout });

  const databaseName: string = p.branch?.database_name ?? "neondb";
  const roleName: string = p.branch?.role_name ?? `${databaseName}_owner`;
  checkDatabaseName(databaseName);
  checkRoleName(roleName);

  let id = newProjectId();
  while (ctx.state.projects.has(id)) id = newProjectId();
  const branchId = newBranchId();
  const key = branchKey(branchId);
  const now = ctx.clock.now();

  const role: RoleRecord = {
    project_id: id, branch_id: branchId, name: roleName, physical: physicalName(roleName, key), password: newPassword(),
    protected: false, no_login: false, created_at: now, updated_at: now,
  };
  const db: DatabaseRecord = {
    id: newDatabaseId(), project_id: id, branch_id: branchId, name: databaseName, physical: physicalName(databaseName, key),
    owner_name: roleName, created_at: now, updated_at: now,
  };
  ctx.creatingProjects.count++;
  return ctx.guard.after(id, async () => {
    try {
      await provisionRootBranch(ctx, role, db);
    } finally {
      ctx.creatingProjects.count--;
    }
    const endpointId = newEndpointId();
    const ops = ctx.operations.schedule(id, [
      { action: "create_timeline", branch_id: branchId },
      { action: "start_compute", branch_id: branchId, endpoint_id: endpointId },
    ]);
    const project: ProjectRecord = {
      id, name: p.name ?? id, region_id: region, pg_version: p.pg_version ?? 17,
      ...(p.org_id ? { org_id: p.org_id } : {}),
      provisioner: p.provisioner ?? "k8s-neonvm",
      store_passwords: p.store_passwords ?? true,
      history_retention_seconds: p.history_retention_seconds ?? 86400,
      default_endpoint_settings: {
        autoscaling_limit_min_cu: minCu, autoscaling_limit_max_cu: maxCu, suspend_timeout_seconds: suspendTimeout,
        ...(defaults.pg_settings ? { pg_settings: defaults.pg_settings } : {}),
      },
      ...(p.settings ? { settings: p.settings } : {}),
      owner_key: req.keyLabel,
      created_at: now, updated_at: now,
    };
    const branch: BranchRecord = {
      id: branchId, project_id: id, name: p.branch?.name ?? "main", is_default: true, protected: false, init_source: "parent-data",
      ...(p.branch?.annotations ? { annotation: { value: p.branch.annotations, created_at: now, updated_at: now } } : {}),
      created_at: now, updated_at: now, ready_at: ops[0]!.end_at,
    };
    const endpoint: EndpointRecord = {
      id: endpointId, project_id: id, branch_id: branchId, type: "read_write",
      autoscaling_limit_min_cu: minCu, autoscaling_limit_max_cu: maxCu, suspend_timeout_seconds: suspendTimeout,
      disabled: false, provisioner: project.provisioner, pg_settings: defaults.pg_settings ?? {},
      created_at: now, updated_at: now, started_at: ops[1]!.end_at, ...(ops[1]!.fails ? { start_failed: true } : {}),
    };
    ctx.state.put("project", project);
    ctx.state.put("branch", branch);
    ctx.state.put("endpoint", endpoint);
    ctx.state.put("role", role);
    ctx.state.put("database", db);
    const at = ctx.clock.now();
    return {
      status: 201,
      projectId: id,
      body: {
        project: projectView(project, ctx.addresses.host, at),
        connection_uris: [ctx.addresses.details(role, db, endpoint)],
        roles: [roleView(role, true)],
        databases: [databaseView(db)],
        operations: ops.map((op) => ctx.operations.toApi(op, at)),
        branch: branchView(branch, at),
        endpoints: [endpointView(endpoint, region, ctx.addresses, ctx.activity, at)],
      },
    };
  });
};

export const listProjects: Handler = async (ctx, req) => {
  // Deleted projects are dropped at once here, so none is ever recoverable.
  if (req.query.recoverable === true) return { status: 200, body: { projects: [], applications: {}, integrations: {} } };
  const search = typeof req.query.search === "string" ? req.query.search.toLowerCase() : undefined;
  const orgId = req.query.org_id as string | undefined;
  const matching = [...ctx.state.projects.values()].filter(
    (p) => (!search || p.name.toLowerCase().includes(search) || p.id.includes(search)) && (!orgId || p.org_id === orgId),
  );
  // Newest first, like the console.
  const result = page(matching, (p) => ({ v: p.created_at, i: p.id }), "desc", req.query.cursor, (req.query.limit as number | undefined) ?? 10);
  const now = ctx.clock.now();
  const storage = await projectStorageBytes(ctx, result.items.map((p) => p.id));
  return {
    status: 200,
    body: {
      projects: result.items.map((p) => projectListItemView(p, ctx.addresses.host,
        projectActivityFacts(ctx.state.endpointsOf(p.id), ctx.activity, now, storage.get(p.id)))),
      ...(result.last ? { pagination: { cursor: encodeCursor(result.last) } } : {}),
      applications: {},
      integrations: {},
    },
  };
};

/** Bytes of every database of each project, in one catalog query per page (sizes are not metered locally). */
async function projectStorageBytes(ctx: EmulatorContext, projectIds: string[]): Promise<Map<string, number>> {
  const byPhysical = new Map<string, string>();
  for (const id of projectIds) for (const db of ctx.state.databases.ofProject(id)) byPhysical.set(db.physical, id);
  const sizes = new Map<string, number>();
  if (byPhysical.size === 0) return sizes;
  const rows = await ctx.admin.sql<{ datname: string; bytes: string }[]>`
    select datname, pg_database_size(oid)::text as bytes from pg_database where datname = any(${[...byPhysical.keys()]})`;
  for (const row of rows) {
    const id = byPhysical.get(row.datname)!;
    sizes.set(id, (sizes.get(id) ?? 0) + Number(row.bytes));
  }
  return sizes;
}

export const getProject: Handler = async (ctx, req) => {
  const project = findProject(ctx, req.path.project_id!);
  return { status: 200, body: { project: projectView(project, ctx.addresses.host, ctx.clock.now()) } };
};

/**
 * Deletes for real: databases (sessions ended) and roles. Not subject to the
 * operations lock, and returns no operations, as in the spec.
 */
export const deleteProject: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  return ctx.guard.after(projectId, async () => {
    const project = findProject(ctx, projectId); // may have gone while we waited
    const branches = ctx.state.branchesOf(projectId);
    // Children first, so no database is copied from while it is dropped.
    branches.sort((a, b) => b.created_at - a.created_at);
    for (const branch of branches) await deprovisionBranch(ctx, branch);
    for (const ep of ctx.state.endpointsOf(projectId)) {
      ctx.activity.forget(ep.id);
      ctx.state.remove("endpoint", ep.id);
    }
    for (const branch of branches) {
      for (const r of ctx.state.rolesOfBranch(projectId, branch.id)) ctx.state.remove("role", `${branch.id}/${r.name}`);
      for (const d of ctx.state.databasesOfBranch(projectId, branch.id)) ctx.state.remove("database", `${branch.id}/${d.name}`);
      ctx.state.remove("branch", branch.id);
    }
    for (const op of ctx.state.operationsOf(projectId)) ctx.state.remove("operation", op.id);
    ctx.state.remove("project", projectId);
    return { status: 200, body: { project: projectView(project, ctx.addresses.host, ctx.clock.now()) } };
  });
};
