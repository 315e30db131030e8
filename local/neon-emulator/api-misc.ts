/** Operations, connection URIs and regions. */
import type { Handler } from "./context.ts";
import { badRequest, notFound } from "./errors.ts";
import { findBranch, findDatabase, findEndpoint, findProject, findRole } from "./lookups.ts";
import { encodeCursor, page } from "./paging.ts";

export const getProjectOperation: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const op = ctx.state.operations.get(req.path.operation_id!);
  if (!op || op.project_id !== projectId) throw notFound("operation");
  return { status: 200, body: { operation: ctx.operations.toApi(op) } };
};

export const listProjectOperations: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  // Newest first; operations of one call share created_at, so order by start.
  const result = page(ctx.state.operationsOf(projectId), (op) => ({ v: op.start_at, i: op.id }), "desc", req.query.cursor, req.query.limit ?? 10);
  const at = ctx.clock.now();
  return {
    status: 200,
    body: {
      operations: result.items.map((op) => ctx.operations.toApi(op, at)),
      ...(result.last ? { pagination: { cursor: encodeCursor(result.last) } } : {}),
    },
  };
};

export const getConnectionUri: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const branchId: string | undefined = req.query.branch_id;
  const endpointId: string | undefined = req.query.endpoint_id;
  let branch = branchId ? findBranch(ctx, projectId, branchId) : undefined;
  const endpoint = endpointId ? findEndpoint(ctx, projectId, endpointId) : undefined;
  if (endpoint && branch && endpoint.branch_id !== branch.id) throw badRequest("endpoint does not belong to the branch");
  branch ??= endpoint ? findBranch(ctx, projectId, endpoint.branch_id) : ctx.state.defaultBranch(projectId);
  if (!branch) throw notFound("branch");
  const ep = endpoint ?? ctx.state.endpointOfBranch(projectId, branch.id);
  if (!ep) throw notFound("read-write endpoint");
  const role = findRole(ctx, branch, req.query.role_name);
  const db = findDatabase(ctx, branch, req.query.database_name);
  // No pooler locally: pooled URIs are the direct ones (the README says so).
  return { status: 200, body: { uri: ctx.addresses.uri(role, db, ep) } };
};

export const getActiveRegions: Handler = async (ctx) => ({ status: 200, body: { regions: ctx.settings.regions } });
