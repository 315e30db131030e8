/**
 * The environment every function gets from the Supabase platform (hosted and local alike), parsed
 * once at the entrypoint. Function-specific keys extend `platformEnv`.
 */
import { z } from "zod";
import { env } from "./config.ts";
import type { AuthConfig } from "./auth.ts";

const jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

export const platformEnv = z.object({
  SUPABASE_URL: env.url(),
  SUPABASE_DB_URL: z.string().min(1),
  /** JSON Web Key Set of the project's signing keys (hosted and `supabase start` set it). */
  SUPABASE_JWKS: env.json(jwks).optional(),
  /** Legacy HS256 secret; only for projects that still sign tokens with it. */
  JWT_SECRET: z.string().min(32).optional(),
  /** `{"default":"sb_secret_…"}`: secret API keys that identify service callers (cron). */
  SUPABASE_SECRET_KEYS: env.json(z.record(z.string(), z.string())).optional(),
  /** Legacy service-role key; a JWT is verified like any token, an `sb_secret_` key is compared. */
  SUPABASE_SERVICE_ROLE_KEY: z.string().optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type PlatformEnv = z.infer<typeof platformEnv>;

export function authConfigOf(config: PlatformEnv): AuthConfig {
  const secretKeys = Object.values(config.SUPABASE_SECRET_KEYS ?? {});
  if (config.SUPABASE_SERVICE_ROLE_KEY?.startsWith("sb_secret_")) secretKeys.push(config.SUPABASE_SERVICE_ROLE_KEY);
  return {
    jwks: config.SUPABASE_JWKS as AuthConfig["jwks"],
    jwtSecret: config.JWT_SECRET,
    secretKeys,
  };
}

