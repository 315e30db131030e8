/** Roles (create, reset password) and databases (list, create) of a branch. */
import type { EmulatorContext, Handler } from "./context.ts";
import { conflict } from "./errors.ts";
import { branchKey, newDatabaseId, newPassword, physicalName } from "./ids.ts";
import { checkDatabaseName, checkRoleName, findBranch, findProject, findRole } from "./lookups.ts";
import type { BranchRecord, DatabaseRecord, RoleRecord } from "./state.ts";
import { databaseView, roleView } from "./views.ts";

/** Role and database changes are applied to the branch's compute: one apply_config operation. */
function applyConfig(ctx: EmulatorContext, branch: BranchRecord) {
  const ep = ctx.state.endpointOfBranch(branch.project_id, branch.id);
  return ctx.operations.schedule(branch.project_id, [{ action: "apply_config", branch_id: branch.id, ...(ep ? { endpoint_id: ep.id } : {}) }]);
}

export const createProjectBranchRole: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const branch = findBranch(ctx, projectId, req.path.branch_id!);
  const name: string = req.body.role.name;
  checkRoleName(name);
  if (ctx.state.roles.get(`${branch.id}/${name}`)) throw conflict("role already exists");
  return ctx.guard.mutate(projectId, async () => {
    const now = ctx.clock.now();
    const role: RoleRecord = {
      project_id: projectId, branch_id: branch.id, name, physical: physicalName(name, branchKey(branch.id)), password: newPassword(),
      protected: false, no_login: req.body.role.no_login ?? false, created_at: now, updated_at: now,
    };
    await ctx.admin.createRole(role.physical, role.password, !role.no_login);
    try {
      // Neon roles may connect to every database of their branch.
      for (const d of ctx.state.databasesOfBranch(projectId, branch.id)) await ctx.admin.grantConnect(d.physical, role.physical);
    } catch (err) {
      await ctx.admin.dropRole(role.physical).catch(() => {});
      throw err;
    }
    const ops = applyConfig(ctx, branch);
    ctx.state.put("role", role);
    const at = ctx.clock.now();
    return { status: 201, body: { role: roleView(role, true), operations: ops.map((op) => ctx.operations.toApi(op, at)) } };
  });
};

export const resetProjectBranchRolePassword: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const branch = findBranch(ctx, projectId, req.path.branch_id!);
  const role = findRole(ctx, branch, req.path.role_name!);
  return ctx.guard.mutate(projectId, async () => {
    const updated: RoleRecord = { ...role, password: newPassword(), updated_at: ctx.clock.now() };
    await ctx.admin.setRolePassword(updated.physical, updated.password);
    // Pooled `/sql` sessions were authenticated with the old password.
    await ctx.sessions.closeRole(updated.physical);
    const ops = applyConfig(ctx, branch);
    ctx.state.put("role", updated);
    const at = ctx.clock.now();
    return { status: 200, body: { role: roleView(updated, true), operations: ops.map((op) => ctx.operations.toApi(op, at)) } };
  });
};

export const listProjectBranchDatabases: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const branch = findBranch(ctx, projectId, req.path.branch_id!);
  const dbs = ctx.state.databasesOfBranch(projectId, branch.id).sort((a, b) => a.created_at - b.created_at || a.name.localeCompare(b.name));
  return { status: 200, body: { databases: dbs.map(databaseView) } };
};

export const createProjectBranchDatabase: Handler = async (ctx, req) => {
  const projectId = req.path.project_id!;
  findProject(ctx, projectId);
  const branch = findBranch(ctx, projectId, req.path.branch_id!);
  const { name, owner_name: ownerName } = req.body.database as { name: string; owner_name: string };
  checkDatabaseName(name);
  const owner = findRole(ctx, branch, ownerName);
  if (ctx.state.databases.get(`${branch.id}/${name}`)) throw conflict("database already exists");
  return ctx.guard.mutate(projectId, async () => {
    const now = ctx.clock.now();
    const db: DatabaseRecord = {
      id: newDatabaseId(), project_id: projectId, branch_id: branch.id, name, physical: physicalName(name, branchKey(branch.id)),
      owner_name: owner.name, created_at: now, updated_at: now,
    };
    const others = ctx.state.rolesOfBranch(projectId, branch.id).filter((r) => r.name !== owner.name).map((r) => r.physical);
    await ctx.admin.createDatabase(db.physical, owner.physical, others);
    const ops = applyConfig(ctx, branch);
    ctx.state.put("database", db);
    const at = ctx.clock.now();
    return { status: 201, body: { database: databaseView(db), operations: ops.map((op) => ctx.operations.toApi(op, at)) } };
  });
};
