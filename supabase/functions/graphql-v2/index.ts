// Entry for the 'graphql-v2' edge function: wires config into the GraphQL handler.
import { parseConfig } from "../_shared/config.ts";
import { createLogger } from "../_shared/log.ts";
import { authConfigOf, platformEnv } from "../_shared/platform-config.ts";
import { createAuthenticator } from "../_shared/auth.ts";
import { createSqlClient } from "../_shared/db.ts";
import { AppError } from "../_shared/errors.ts";
import { createTenantServices, ENTRY_POINT } from "../_shared/services/tenant-services.ts";
import { createGraphQLHandler } from "../../../graphql-v2/server.ts";
import { graphqlConfigFromEnv } from "../../../graphql-v2/config.ts";

const env = Deno.env.toObject();
const config = parseConfig(platformEnv, env);
const logger = createLogger({ function: ENTRY_POINT }, undefined, config.LOG_LEVEL);
const notYet = () => Promise.reject(new AppError("NOT_IMPLEMENTED", "This mutation is not wired in this build."));

Deno.serve(createGraphQLHandler({
  services: createTenantServices({
    sql: createSqlClient(config.SUPABASE_DB_URL, { applicationName: ENTRY_POINT }),
    provisioning: { provision: notYet, retry: notYet, deprovision: notYet },
    health: { checkOrganization: notYet },
  }),
  authenticate: createAuthenticator(authConfigOf(config)),
  logger,
  config: graphqlConfigFromEnv(env),
}));
