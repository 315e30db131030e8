// Entry for the 'decrypt-connection-string' edge function: wires config into the shared handler.
import { parseConfig } from "../_shared/config.ts";
import { createLogger } from "../_shared/log.ts";
import { platformEnv } from "../_shared/platform-config.ts";
import { createNotImplementedHandler } from "../_shared/handlers/not-implemented.ts";

const config = parseConfig(platformEnv, Deno.env.toObject());
const logger = createLogger({ function: "decrypt-connection-string" }, undefined, config.LOG_LEVEL);

Deno.serve(createNotImplementedHandler("decrypt-connection-string", logger));
