/** Tenant health: public surface. Import from here. */
export { DEFAULT_HEALTH_CONFIG, healthConfigOf, healthEnvShape, type HealthConfig, type HealthEnv, type HealthThresholds } from "./config.ts";
export { classify, type Classification, type ControlPlaneFacts, type SqlProbeFacts } from "./classify.ts";
export { projectFacts, readControlPlane, readControlPlaneOne, type TenantNeonRef } from "./control-plane.ts";
export { configureNeonDriver, createNeonSqlProbe, type SqlProbe } from "./sql-probe.ts";
export { createWebhookSender, type AlertDelivery, type AlertPayload, type AlertSender } from "./alerts.ts";
export {
  checkNewTenantHealth, checkTenantHealthById, checkTenantHealthForOrganization, evaluateTenant, HEALTH_ENTRY_POINT,
  type HealthDeps, type HealthSource, type TenantHealthResult,
} from "./check.ts";
export { runSweep, type SweepOptions, type SweepSummary } from "./sweep.ts";
export { getTenantHealth, type TenantHealthView } from "./trend.ts";
