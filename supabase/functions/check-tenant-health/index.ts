// Entry for the 'check-tenant-health' edge function: parses config, wires the health checker.
import { z } from "zod";
import { parseConfig } from "../_shared/config.ts";
import { createLogger } from "../_shared/log.ts";
import { authConfigOf, platformEnv } from "../_shared/platform-config.ts";
import { createAuthenticator } from "../_shared/auth.ts";
import { createSqlClient } from "../_shared/db.ts";
import { createNeonGateway, neonEnvShape, neonGatewayOptions } from "../_shared/neon/index.ts";
import { configureNeonDriver, createNeonSqlProbe, createWebhookSender, healthConfigOf, healthEnvShape } from "../_shared/health/index.ts";
import { createCheckTenantHealthHandler } from "../_shared/handlers/check-tenant-health.ts";

const config = parseConfig(platformEnv.extend({ ...neonEnvShape, ...healthEnvShape }), Deno.env.toObject());
const logger = createLogger({ function: "check-tenant-health" }, undefined, config.LOG_LEVEL);
const health = healthConfigOf(config);
configureNeonDriver({ sqlHttpUrl: config.NEON_SQL_HTTP_URL, wsProxy: config.NEON_WS_PROXY });

Deno.serve(createCheckTenantHealthHandler({
  health: {
    sql: createSqlClient(config.SUPABASE_DB_URL, { applicationName: "check-tenant-health", max: 8 }),
    neon: createNeonGateway({ ...neonGatewayOptions(config), logger }),
    probe: createNeonSqlProbe(),
    config: health,
    logger,
    sendAlert: health.alertWebhookUrl ? createWebhookSender({ url: health.alertWebhookUrl, retries: health.alertRetries }) : null,
    connectionCache: new Map(),
  },
  authenticate: createAuthenticator(authConfigOf(config)),
  logger,
}));
