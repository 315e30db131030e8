/** Branches: create (TEMPLATE copy of the parent, optional read-write endpoint), list, get, delete. */
import type { EmulatorContext, Handler } from "./context.ts";
import { MESSAGES, badRequest, conflict, notFound, unprocessable } from "./errors.ts";
import { newBranchId, newEndpointId } from "./ids.ts";
import { checkComputeSettings, findBranch, findProject } from "./lookups.ts";
import { encodeCursor, page, type CursorPosition } from "./paging.ts";
import { deprovisionBranch, provisionChildBranch } from "./provisioning.ts";
import type { BranchRecord, EndpointRecord, ProjectRecord } from "./state.ts";
import { annotationView, branchView, databaseView, endpointView, roleView } from "./views.ts";

function newEndpoint(project: ProjectRecord, branchId: string, options: Record<string, any>, now: number): EndpointRecord {
  const d = project.default_endpoint_settings;
  return {
    id: newEndpointId(),
    project_id: project.id,
    branch_id: branchId,
    type: "read_write",
    autoscaling_limit_min_cu: options.autoscaling_limit_min_cu ?? d.autoscaling_limit_min_cu ?? 0.25,
    autoscaling_limit_max_cu: options.autoscaling_limit_max_cu ?? d.autoscaling_limit_max_cu ?? Math.max(options.autoscaling_limit_min_cu ?? 0.25, 0.25),
    suspend_timeout_seconds: options.suspend_timeout_seconds ?? d.suspend_timeout_seconds ?? 0,
    disabled: false,
    provisioner: options.provisioner ?? project.provisioner,
    pg_settings: options.settings?.pg_settings ?? d.pg_settings ?? {},
    created_at: now,
    updated_at: now,
    started_at: now,
  };
}

export const createProjectBranch: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  const project = findProject(ctx, projectId);
  const body = (req.body ?? {}) as Record<string, any>;
  const b = (body.branch ?? {}) as Record<string, any>;
  const endpointRequests = (body.endpoints ?? []) as Array<Record<string, any>>;

  // Things the local copy cannot honour are refused rather than faked.
  if (b.parent_lsn !== undefined || b.parent_timestamp !== undefined) throw badRequest("parent_lsn and parent_timestamp are not supported by the local Neon emulator");
  const initSource: string = b.init_source ?? "parent-data";
  if (initSource !== "parent-data" && initSource !== "schema-only") throw badRequest(`init_source "${initSource}" is not supported`);
  if (endpointRequests.some((e) => e.type === "read_only")) throw badRequest("read_only endpoints are not supported by the local Neon emulator");
  if (endpointRequests.length > 1) throw badRequest("a branch can have only one read_write endpoint");
  for (const e of endpointRequests) checkComputeSettings(ctx, e);

  const parent = b.parent_id ? ctx.state.branches.get(b.parent_id) : ctx.state.defaultBranch(projectId);
  if (!parent || parent.project_id !== projectId) throw notFound("parent branch");
  const id = newBranchId();
  const name: string = b.name ?? id;
  if (ctx.state.branchesOf(projectId).some((x) => x.name === name)) throw conflict(MESSAGES.branchExists);

  return ctx.guard.mutate(projectId, async () => {
    const now = ctx.clock.now();
    const branch: BranchRecord = {
      // A schema-only branch is a new root branch on Neon: no parent.
      id, project_id: projectId, name, ...(initSource === "schema-only" ? {} : { parent_id: parent.id }), is_default: false,
      protected: b.protected ?? false, init_source: initSource,
      ...(body.annotation_value ? { annotation: { value: body.annotation_value, created_at: now, updated_at: now } } : {}),
      created_at: now, updated_at: now, ready_at: now,
    };
    const { roles, databases } = await provisionChildBranch(ctx, parent, branch, now);
    // A concurrent call may have taken the name while we copied.
    if (ctx.state.branchesOf(projectId).some((x) => x.name === name)) {
      await deprovisionBranch(ctx, branch);
      throw conflict(MESSAGES.branchExists);
    }
    const endpoint = endpointRequests[0] ? newEndpoint(project, id, endpointRequests[0], now) : undefined;
    const ops = ctx.operations.schedule(projectId, [
      { action: "create_timeline", branch_id: id },
      ...(endpoint ? [{ action: "start_compute", branch_id: id, endpoint_id: endpoint.id }] : []),
    ]);
    branch.ready_at = ops[0]!.end_at;
    ctx.state.put("branch", branch);
    for (const r of roles) ctx.state.put("role", r);
    for (const d of databases) ctx.state.put("database", d);
    if (endpoint) {
      endpoint.started_at = ops[1]!.end_at;
      if (ops[1]!.fails) endpoint.start_failed = true;
      ctx.state.put("endpoint", endpoint);
    }
    const at = ctx.clock.now();
    // Neon includes a connection URI only when it is unambiguous: an endpoint, one role, one database.
    const uris = endpoint && roles.length === 1 && databases.length === 1 ? [ctx.addresses.details(roles[0]!, databases[0]!, endpoint)] : undefined;
    return {
      status: 201,
      body: {
        branch: branchView(branch, at),
        endpoints: endpoint ? [endpointView(endpoint, project.region_id, ctx.addresses, ctx.activity, at)] : [],
        operations: ops.map((op) => ctx.operations.toApi(op, at)),
        roles: roles.map((r) => roleView(r, false)),
        databases: databases.map(databaseView),
        ...(uris ? { connection_uris: uris } : {}),
      },
    };
  });
};

const sortValue = (b: BranchRecord, sortBy: string): string | number =>
  sortBy === "name" ? b.name : sortBy === "created_at" ? b.created_at : b.updated_at;

export const listProjectBranches: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const search = typeof req.query.search === "string" ? req.query.search.toLowerCase() : undefined;
  const sortBy: string = req.query.sort_by ?? "updated_at";
  const sortOrder: "asc" | "desc" = req.query.sort_order ?? "desc";
  const matching = ctx.state.branchesOf(projectId).filter((b) => !search || b.name.toLowerCase().includes(search) || b.id.includes(search));
  const position = (b: BranchRecord): CursorPosition => ({ v: sortValue(b, sortBy), i: b.id });
  const result = page(matching, position, sortOrder, req.query.cursor, req.query.limit);
  const now = ctx.clock.now();
  return {
    status: 200,
    body: {
      branches: result.items.map((b) => branchView(b, now)),
      annotations: Object.fromEntries(result.items.filter((b) => b.annotation).map((b) => [b.id, annotationView(b)])),
      pagination: { ...(result.more && result.last ? { next: encodeCursor(result.last) } : {}), sort_by: sortBy, sort_order: sortOrder },
    },
  };
};

export const listProjectBranchEndpoints: Handler = async (ctx, req) => {
  const project = findProject(ctx, req.path.project_id!);
  const branch = findBranch(ctx, project.id, req.path.branch_id!);
  const ep = ctx.state.endpointOfBranch(project.id, branch.id);
  const at = ctx.clock.now();
  return { status: 200, body: { endpoints: ep ? [endpointView(ep, project.region_id, ctx.addresses, ctx.activity, at)] : [] } };
};

export const getProjectBranch: Handler = async (ctx, req) => {
  const branch = findBranch(ctx, req.path.project_id!, req.path.branch_id!);
  return { status: 200, body: { branch: branchView(branch, ctx.clock.now()), annotation: annotationView(branch) } };
};

/** Removes a branch's records; its Postgres objects must be gone already. */
function forgetBranch(ctx: EmulatorContext, branch: BranchRecord): void {
  const ep = ctx.state.endpointOfBranch(branch.project_id, branch.id);
  if (ep) {
    ctx.activity.forget(ep.id);
    ctx.state.remove("endpoint", ep.id);
  }
  for (const r of ctx.state.rolesOfBranch(branch.project_id, branch.id)) ctx.state.remove("role", `${branch.id}/${r.name}`);
  for (const d of ctx.state.databasesOfBranch(branch.project_id, branch.id)) ctx.state.remove("database", `${branch.id}/${d.name}`);
  ctx.state.remove("branch", branch.id);
}

export const deleteProjectBranch: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const branch = ctx.state.branches.get(req.path.branch_id!);
  // Already gone (or never there): 204, as the spec says.
  if (!branch || branch.project_id !== projectId) return { status: 204 };
  if (branch.is_default) throw unprocessable("cannot delete the default branch");
  if (ctx.state.branchesOf(projectId).some((b) => b.parent_id === branch.id)) throw unprocessable("cannot delete a branch that has child branches");
  return ctx.guard.mutate(projectId, async () => {
    const ep = ctx.state.endpointOfBranch(projectId, branch.id);
    await deprovisionBranch(ctx, branch);
    const ops = ctx.operations.schedule(projectId, [
      ...(ep ? [{ action: "suspend_compute", branch_id: branch.id, endpoint_id: ep.id }] : []),
      { action: "delete_timeline", branch_id: branch.id },
    ]);
    const at = ctx.clock.now();
    const view = branchView(branch, at);
    forgetBranch(ctx, branch);
    return { status: 200, body: { branch: view, operations: ops.map((op) => ctx.operations.toApi(op, at)) } };
  });
};
