/** Public surface of the provisioning engine. */
export { createProvisioningEngine, type ProvisioningEngine, type ProvisionInput, type ResumeOptions, type ResumeReport, type Started } from "./engine.ts";
export type { RunResult } from "./run.ts";
export type { ReconcileOptions, ReconcileReport, NeonOrphan } from "./reconcile.ts";
export { FAILURE_CODES, classifyFailure, type FailureCode, type StepFailure } from "./failures.ts";
export { NAME_PREFIX, TEMPLATE_PROJECT_NAME, tenantResourceName, tenantIdFromName, tenantAnnotations, TENANT_APP_ROLE, TENANT_OWNER_ROLE, TENANT_DATABASE_NAME } from "./names.ts";
export { defaultConnectTenant } from "./context.ts";
export type { ProvisioningDeps } from "./types.ts";
