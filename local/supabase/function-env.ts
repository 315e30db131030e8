/** The environment a hosted Supabase function gets, built for the local stack. */
import type { LocalKeys } from "./keys.ts";

export function functionEnv(options: { apiUrl: string; dbUrl: string; keys: LocalKeys; extra?: Record<string, string> }): Record<string, string> {
  const { keys } = options;
  return {
    SUPABASE_URL: options.apiUrl,
    SUPABASE_DB_URL: options.dbUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    SUPABASE_JWKS: JSON.stringify(keys.jwks),
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
    ...options.extra,
  };
}
