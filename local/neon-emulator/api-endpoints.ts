/** Compute endpoints: list, get, update (autoscaling, suspend timeout, disabled), start, suspend. */
import type { EmulatorContext, Handler } from "./context.ts";
import { badRequest } from "./errors.ts";
import { checkComputeSettings, findEndpoint, findProject } from "./lookups.ts";
import type { EndpointRecord, OperationRecord } from "./state.ts";
import { endpointView } from "./views.ts";

function respond(ctx: EmulatorContext, ep: EndpointRecord, ops?: OperationRecord[]) {
  const project = findProject(ctx, ep.project_id);
  const at = ctx.clock.now();
  return {
    status: 200,
    body: {
      endpoint: endpointView(ep, project.region_id, ctx.addresses, ctx.activity, at),
      ...(ops ? { operations: ops.map((op) => ctx.operations.toApi(op, at)) } : {}),
    },
  };
}

export const listProjectEndpoints: Handler = async (ctx, req) => {
  const project = findProject(ctx, req.path.project_id!);
  const at = ctx.clock.now();
  const endpoints = ctx.state.endpointsOf(project.id).sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
  return { status: 200, body: { endpoints: endpoints.map((ep) => endpointView(ep, project.region_id, ctx.addresses, ctx.activity, at)) } };
};

export const getProjectEndpoint: Handler = async (ctx, req) => {
  findProject(ctx, req.path.project_id!);
  return respond(ctx, findEndpoint(ctx, req.path.project_id!, req.path.endpoint_id!));
};

export const updateProjectEndpoint: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const ep = findEndpoint(ctx, projectId, req.path.endpoint_id!);
  const u = req.body.endpoint as Record<string, any>;
  if (u.branch_id !== undefined && u.branch_id !== ep.branch_id) throw badRequest("moving an endpoint to another branch is not supported by the local Neon emulator");
  const min: number = u.autoscaling_limit_min_cu ?? ep.autoscaling_limit_min_cu;
  const max: number = u.autoscaling_limit_max_cu ?? ep.autoscaling_limit_max_cu;
  checkComputeSettings(ctx, { autoscaling_limit_min_cu: min, autoscaling_limit_max_cu: max, suspend_timeout_seconds: u.suspend_timeout_seconds });
  return ctx.guard.mutate(projectId, async () => {
    const disabledChanged = u.disabled !== undefined && u.disabled !== ep.disabled;
    const updated: EndpointRecord = {
      ...ep,
      autoscaling_limit_min_cu: min,
      autoscaling_limit_max_cu: max,
      ...(u.suspend_timeout_seconds !== undefined ? { suspend_timeout_seconds: u.suspend_timeout_seconds } : {}),
      ...(u.disabled !== undefined ? { disabled: u.disabled } : {}),
      ...(u.provisioner !== undefined ? { provisioner: u.provisioner } : {}),
      ...(u.settings?.pg_settings !== undefined ? { pg_settings: u.settings.pg_settings } : {}),
      updated_at: ctx.clock.now(),
    };
    ctx.state.put("endpoint", updated);
    if (disabledChanged) await ctx.applyReachability(ep.id);
    const ops = ctx.operations.schedule(projectId, [{ action: "apply_config", branch_id: ep.branch_id, endpoint_id: ep.id }]);
    return respond(ctx, updated, ops);
  });
};

export const startProjectEndpoint: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const ep = findEndpoint(ctx, projectId, req.path.endpoint_id!);
  return ctx.guard.mutate(projectId, async () => {
    const now = ctx.clock.now();
    const wasIdle = ctx.activity.stateOf(ep, now).current === "idle";
    const ops = ctx.operations.schedule(projectId, [{ action: "start_compute", branch_id: ep.branch_id, endpoint_id: ep.id }]);
    let updated = ep;
    if (wasIdle) {
      ctx.activity.apiStarted(ep);
      // Idle until the start operation ends, active from then on.
      updated = { ...ep, suspended_at: ep.suspended_at ?? now, started_at: ops[0]!.end_at, updated_at: now };
      delete updated.start_failed;
      if (ops[0]!.fails) updated.start_failed = true;
      ctx.state.put("endpoint", updated);
    }
    return respond(ctx, updated, ops);
  });
};

/** Suspends the compute: its sessions end, as on Neon. */
export const suspendProjectEndpoint: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const ep = findEndpoint(ctx, projectId, req.path.endpoint_id!);
  return ctx.guard.mutate(projectId, async () => {
    const ops = ctx.operations.schedule(projectId, [{ action: "suspend_compute", branch_id: ep.branch_id, endpoint_id: ep.id }]);
    const dbs = ctx.state.databasesOfBranch(projectId, ep.branch_id).map((d) => d.physical);
    await ctx.sessions.closeDatabases(dbs);
    await ctx.admin.terminate(dbs);
    ctx.activity.suspended(ep);
    const now = ctx.clock.now();
    const updated: EndpointRecord = { ...ep, suspended_at: now, started_at: Math.min(ep.started_at, now), updated_at: now };
    ctx.state.put("endpoint", updated);
    return respond(ctx, updated, ops);
  });
};
