// Entry for the 'provision-tenant-resources' edge function: wires config into the shared handler.
import { parseConfig } from "../_shared/config.ts";
import { createLogger } from "../_shared/log.ts";
import { controlPlaneEnv, createControlPlane } from "../_shared/control-plane.ts";
import { createProvisionTenantResourcesHandler, ENTRY_POINT } from "../_shared/handlers/provision-tenant-resources.ts";

const config = parseConfig(controlPlaneEnv, Deno.env.toObject());
const logger = createLogger({ function: ENTRY_POINT }, undefined, config.LOG_LEVEL);
const plane = createControlPlane(config, { entryPoint: ENTRY_POINT, logger });
// deno-lint-ignore no-explicit-any
const waitUntil = (p: Promise<unknown>) => (globalThis as any).EdgeRuntime?.waitUntil?.(p) ?? p;

Deno.serve(createProvisionTenantResourcesHandler({ engine: plane.engine, authenticate: plane.authenticate, logger, waitUntil }));
