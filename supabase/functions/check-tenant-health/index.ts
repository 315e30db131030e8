// Entry for the 'check-tenant-health' edge function: wires config into the health checker.
import { parseConfig } from "../_shared/config.ts";
import { createLogger } from "../_shared/log.ts";
import { controlPlaneEnv, createControlPlane } from "../_shared/control-plane.ts";
import { createCheckTenantHealthHandler } from "../_shared/handlers/check-tenant-health.ts";

const config = parseConfig(controlPlaneEnv, Deno.env.toObject());
const logger = createLogger({ function: "check-tenant-health" }, undefined, config.LOG_LEVEL);
// A sweep runs up to 20 probes at once; each records its result through the registry.
const plane = createControlPlane(config, { entryPoint: "check-tenant-health", logger, poolSize: 8 });

Deno.serve(createCheckTenantHealthHandler({ health: plane.health, authenticate: plane.authenticate, logger }));
