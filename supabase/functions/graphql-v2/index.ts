// Entry for the 'graphql-v2' edge function: wires config into the GraphQL handler.
import { parseConfig } from "../_shared/config.ts";
import { createLogger } from "../_shared/log.ts";
import { controlPlaneEnv, createControlPlane } from "../_shared/control-plane.ts";
import { createTenantServices, ENTRY_POINT } from "../_shared/services/tenant-services.ts";
import { enginePort, healthPort } from "../_shared/services/ports.ts";
import { createTokenBucketRateLimiter } from "../_shared/rate-limit.ts";
import { CONNECTION_READ_BUDGET } from "../_shared/services/connection-strings.ts";
import { createGraphQLHandler } from "../../../graphql-v2/server.ts";
import { graphqlConfigFromEnv } from "../../../graphql-v2/config.ts";

const env = Deno.env.toObject();
const config = parseConfig(controlPlaneEnv, env);
const logger = createLogger({ function: ENTRY_POINT }, undefined, config.LOG_LEVEL);
const plane = createControlPlane(config, { entryPoint: ENTRY_POINT, logger });
// deno-lint-ignore no-explicit-any
const waitUntil = (work: Promise<unknown>) => void ((globalThis as any).EdgeRuntime?.waitUntil?.(work) ?? work);

Deno.serve(createGraphQLHandler({
  services: createTenantServices({
    sql: plane.sql, provisioning: enginePort(plane.engine, waitUntil), health: healthPort(plane.health),
    // The same budget as decrypt-connection-string: connection info decrypts secrets.
    connectionReads: createTokenBucketRateLimiter(CONNECTION_READ_BUDGET),
    logger,
  }),
  authenticate: plane.authenticate,
  logger,
  config: graphqlConfigFromEnv(env),
}));
