/**
 * Creating and removing the Postgres objects behind branches, with cleanup
 * when a step fails halfway (so a failed API call leaves nothing behind).
 */
import type { EmulatorContext } from "./context.ts";
import { branchKey, newDatabaseId, physicalName } from "./ids.ts";
import type { BranchRecord, DatabaseRecord, RoleRecord } from "./state.ts";

/** Runs `steps`, undoing the completed ones (latest first) if a later one fails. */
async function withRollback(ctx: EmulatorContext, steps: Array<{ run: () => Promise<void>; undo: () => Promise<unknown> }>): Promise<void> {
  const done: typeof steps = [];
  try {
    for (const step of steps) {
      await step.run();
      done.push(step);
    }
  } catch (err) {
    for (const step of done.reverse()) await step.undo().catch((e) => ctx.log(`cleanup after a failed provisioning step failed: ${(e as Error).message}`));
    throw err;
  }
}

/** A project's first branch: one role and one database it owns. */
export async function provisionRootBranch(ctx: EmulatorContext, role: RoleRecord, db: DatabaseRecord): Promise<void> {
  await withRollback(ctx, [
    { run: () => ctx.admin.createRole(role.physical, role.password), undo: () => ctx.admin.dropRole(role.physical) },
    { run: () => ctx.admin.createDatabase(db.physical, role.physical, []), undo: () => ctx.admin.dropDatabase(db.physical) },
  ]);
}

/**
 * A child branch: the parent's roles (same passwords, as on Neon) and a
 * TEMPLATE copy of each of the parent's databases (schema and data; schema
 * only, tables emptied, for `init_source: schema-only`).
 */
export async function provisionChildBranch(
  ctx: EmulatorContext,
  parent: BranchRecord,
  child: BranchRecord,
  now: number,
): Promise<{ roles: RoleRecord[]; databases: DatabaseRecord[] }> {
  const key = branchKey(child.id);
  const parentRoles = ctx.state.rolesOfBranch(parent.project_id, parent.id);
  const parentDbs = ctx.state.databasesOfBranch(parent.project_id, parent.id);
  const roles: RoleRecord[] = parentRoles.map((r) => ({
    ...r, branch_id: child.id, physical: physicalName(r.name, key), created_at: now, updated_at: now,
  }));
  const physicalRole = new Map(roles.map((r) => [r.name, r.physical]));
  const parentPhysicalRole = new Map(parentRoles.map((r) => [r.name, r.physical]));
  const databases: DatabaseRecord[] = parentDbs.map((d) => ({
    ...d, id: newDatabaseId(), branch_id: child.id, physical: physicalName(d.name, key), created_at: now, updated_at: now,
  }));

  // Sessions the emulator pools on the parent would block the copy.
  await ctx.sessions.closeDatabases(parentDbs.map((d) => d.physical));
  await withRollback(ctx, [
    ...roles.map((r) => ({
      run: () => ctx.admin.createRole(r.physical, r.password, !r.no_login),
      undo: () => ctx.admin.dropRole(r.physical),
    })),
    {
      run: () =>
        ctx.admin.copyBranch({
          databases: parentDbs.map((d, i) => ({ parent: d.physical, child: databases[i]!.physical, owner: physicalRole.get(d.owner_name) ?? parentPhysicalRole.get(d.owner_name)! })),
          roles: parentRoles.map((r) => ({ parent: r.physical, child: physicalRole.get(r.name)! })),
          parentOwners: parentDbs.map((d) => ({ database: d.physical, owner: parentPhysicalRole.get(d.owner_name)! })),
          schemaOnly: child.init_source === "schema-only",
        }),
      undo: async () => {
        for (const d of databases) await ctx.admin.dropDatabase(d.physical);
      },
    },
  ]);
  return { roles, databases };
}

/** Drops a branch's databases (ending their sessions) and roles. */
export async function deprovisionBranch(ctx: EmulatorContext, branch: BranchRecord): Promise<void> {
  const dbs = ctx.state.databasesOfBranch(branch.project_id, branch.id);
  const roles = ctx.state.rolesOfBranch(branch.project_id, branch.id);
  await ctx.sessions.closeDatabases(dbs.map((d) => d.physical));
  for (const d of dbs) await ctx.admin.dropDatabase(d.physical);
  for (const r of roles) {
    await ctx.sessions.closeRole(r.physical);
    if (!(await ctx.admin.dropRole(r.physical))) ctx.log(`role of ${branch.id} still owns objects elsewhere; left as NOLOGIN`);
  }
}
