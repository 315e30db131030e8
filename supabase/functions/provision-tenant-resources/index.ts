// Entry for the 'provision-tenant-resources' edge function: wires config into the shared handler.
import { createAuthenticator } from "../_shared/auth.ts";
import { parseConfig } from "../_shared/config.ts";
import { createSqlClient } from "../_shared/db.ts";
import { createProvisionTenantResourcesHandler, ENTRY_POINT } from "../_shared/handlers/provision-tenant-resources.ts";
import { createLogger } from "../_shared/log.ts";
import { createNeonGateway, neonEnvShape, neonGatewayOptions } from "../_shared/neon/index.ts";
import { authConfigOf, platformEnv } from "../_shared/platform-config.ts";
import { createProvisioningEngine } from "../_shared/provisioning/index.ts";
import { provisioningEnvShape, provisioningOptions } from "../_shared/provisioning/config.ts";

const config = parseConfig(platformEnv.extend({ ...neonEnvShape, ...provisioningEnvShape }), Deno.env.toObject());
const logger = createLogger({ function: ENTRY_POINT }, undefined, config.LOG_LEVEL);
const sql = createSqlClient(config.SUPABASE_DB_URL, { applicationName: ENTRY_POINT });
const gateway = createNeonGateway({ ...neonGatewayOptions(config), logger });
const engine = createProvisioningEngine({ sql, gateway, logger, workerPrefix: ENTRY_POINT, ...provisioningOptions(config) });
// deno-lint-ignore no-explicit-any
const waitUntil = (p: Promise<unknown>) => (globalThis as any).EdgeRuntime?.waitUntil?.(p) ?? p;

Deno.serve(createProvisionTenantResourcesHandler({ engine, authenticate: createAuthenticator(authConfigOf(config)), logger, waitUntil }));
