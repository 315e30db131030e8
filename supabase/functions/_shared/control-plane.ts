/**
 * Builds the control plane's parts from parsed config, once per isolate: registry client, Neon
 * gateway, health checker and provisioning engine. provision-tenant-resources, check-tenant-health
 * and graphql-v2 all use this, so GraphQL mutations run the very engine the functions run.
 */
import { createAuthenticator, type Authenticate } from "./auth.ts";
import { createSqlClient, type Sql } from "./db.ts";
import type { Logger } from "./log.ts";
import { authConfigOf, platformEnv } from "./platform-config.ts";
import { createNeonGateway, neonEnvShape, neonGatewayOptions, type NeonGatewayRoot } from "./neon/index.ts";
import {
  checkNewTenantHealth, configureNeonDriver, createNeonSqlProbe, createWebhookSender, healthConfigOf, healthEnvShape, type HealthDeps,
} from "./health/index.ts";
import { createProvisioningEngine, type ProvisioningEngine } from "./provisioning/index.ts";
import { provisioningEnvShape, provisioningOptions } from "./provisioning/config.ts";
import type { z } from "zod";

export const controlPlaneEnv = platformEnv.extend({ ...neonEnvShape, ...healthEnvShape, ...provisioningEnvShape });
export type ControlPlaneEnv = z.infer<typeof controlPlaneEnv>;

export interface ControlPlane {
  sql: Sql;
  neon: NeonGatewayRoot;
  health: HealthDeps;
  engine: ProvisioningEngine;
  authenticate: Authenticate;
}

export function createControlPlane(config: ControlPlaneEnv, options: { entryPoint: string; logger: Logger; poolSize?: number }): ControlPlane {
  const { logger } = options;
  configureNeonDriver({ sqlHttpUrl: config.NEON_SQL_HTTP_URL, wsProxy: config.NEON_WS_PROXY });
  const sql = createSqlClient(config.SUPABASE_DB_URL, { applicationName: options.entryPoint, max: options.poolSize });
  const neon = createNeonGateway({ ...neonGatewayOptions(config), logger });
  const healthConfig = healthConfigOf(config);
  const health: HealthDeps = {
    sql, neon, probe: createNeonSqlProbe(), config: healthConfig, logger,
    sendAlert: healthConfig.alertWebhookUrl ? createWebhookSender({ url: healthConfig.alertWebhookUrl, retries: healthConfig.alertRetries }) : null,
    connectionCache: new Map(),
  };
  const engine = createProvisioningEngine({
    sql, gateway: neon, logger, workerPrefix: options.entryPoint,
    checkHealth: (tenantId) => checkNewTenantHealth(health, { tenantId }),
    ...provisioningOptions(config),
  });
  return { sql, neon, health, engine, authenticate: createAuthenticator(authConfigOf(config)) };
}
