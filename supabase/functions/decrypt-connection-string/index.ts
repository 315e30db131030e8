// Entry for the 'decrypt-connection-string' edge function: wires config into the shared handler.
import { parseConfig } from "../_shared/config.ts";
import { createLogger } from "../_shared/log.ts";
import { authConfigOf, platformEnv } from "../_shared/platform-config.ts";
import { createAuthenticator } from "../_shared/auth.ts";
import { createSqlClient } from "../_shared/db.ts";
import { createTokenBucketRateLimiter } from "../_shared/rate-limit.ts";
import { CONNECTION_READ_BUDGET } from "../_shared/services/connection-strings.ts";
import { createDecryptConnectionStringHandler, ENTRY_POINT } from "../_shared/handlers/decrypt-connection-string.ts";

const config = parseConfig(platformEnv, Deno.env.toObject());
const logger = createLogger({ function: ENTRY_POINT }, undefined, config.LOG_LEVEL);

Deno.serve(createDecryptConnectionStringHandler({
  sql: createSqlClient(config.SUPABASE_DB_URL, { applicationName: ENTRY_POINT }),
  authenticate: createAuthenticator(authConfigOf(config)),
  logger,
  rateLimiter: createTokenBucketRateLimiter(CONNECTION_READ_BUDGET),
}));
