/**
 * The implemented subset of the Neon API, by operationId: what the product
 * calls, nothing more. Other spec routes answer 501 so an unexpected call is
 * loud rather than silently wrong.
 */
import type { Handler } from "./context.ts";
import { createProject, deleteProject, getProject, listProjects } from "./api-projects.ts";
import { createProjectBranch, deleteProjectBranch, getProjectBranch, listProjectBranchEndpoints, listProjectBranches } from "./api-branches.ts";
import { getProjectEndpoint, listProjectEndpoints, startProjectEndpoint, suspendProjectEndpoint, updateProjectEndpoint } from "./api-endpoints.ts";
import { createProjectBranchDatabase, createProjectBranchRole, listProjectBranchDatabases, resetProjectBranchRolePassword } from "./api-roles-databases.ts";
import { getActiveRegions, getConnectionUri, getProjectOperation, listProjectOperations } from "./api-misc.ts";

export const HANDLERS: Record<string, Handler> = {
  createProject,
  listProjects,
  getProject,
  deleteProject,
  createProjectBranch,
  listProjectBranches,
  getProjectBranch,
  deleteProjectBranch,
  listProjectBranchEndpoints,
  getProjectOperation,
  listProjectOperations,
  getConnectionURI: getConnectionUri,
  listProjectEndpoints,
  getProjectEndpoint,
  updateProjectEndpoint,
  startProjectEndpoint,
  suspendProjectEndpoint,
  createProjectBranchRole,
  resetProjectBranchRolePassword,
  listProjectBranchDatabases,
  createProjectBranchDatabase,
  getActiveRegions,
};

export const IMPLEMENTED_OPERATIONS = new Set(Object.keys(HANDLERS));
