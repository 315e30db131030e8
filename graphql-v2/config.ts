/**
 * `GraphQLHandlerConfig` from the function's environment, for the entry:
 * `createGraphQLHandler({ …, config: graphqlConfigFromEnv(Deno.env.toObject()) })`.
 * `GRAPHQL_DEV_TOOLS=true` (set by `npm run dev`) turns GraphiQL and introspection on; never set it
 * on hosted projects.
 */
import { z } from "zod";
import { env, parseConfig } from "../supabase/functions/_shared/config.ts";
import { defaultGraphQLConfig, type GraphQLHandlerConfig } from "./server.ts";

const defaults = defaultGraphQLConfig;

export const graphqlEnv = z.object({
  GRAPHQL_DEV_TOOLS: env.bool(false),
  GRAPHQL_MAX_DEPTH: env.int(defaults.maxDepth).pipe(z.number().min(1).max(50)),
  GRAPHQL_MAX_COST: env.int(defaults.maxCost).pipe(z.number().min(1)),
  GRAPHQL_MAX_ALIASES: env.int(defaults.maxAliases).pipe(z.number().min(0)),
  GRAPHQL_MAX_TOKENS: env.int(defaults.maxTokens).pipe(z.number().min(50)),
  GRAPHQL_MAX_BATCH: env.int(defaults.maxBatch).pipe(z.number().min(1).max(50)),
  GRAPHQL_MAX_BODY_BYTES: env.int(defaults.maxBodyBytes).pipe(z.number().min(1024)),
});

export function graphqlConfigFromEnv(values: Record<string, string | undefined>): GraphQLHandlerConfig {
  const parsed = parseConfig(graphqlEnv, values);
  return {
    graphiql: parsed.GRAPHQL_DEV_TOOLS,
    introspection: parsed.GRAPHQL_DEV_TOOLS,
    maxDepth: parsed.GRAPHQL_MAX_DEPTH,
    maxCost: parsed.GRAPHQL_MAX_COST,
    maxAliases: parsed.GRAPHQL_MAX_ALIASES,
    maxTokens: parsed.GRAPHQL_MAX_TOKENS,
    maxBatch: parsed.GRAPHQL_MAX_BATCH,
    maxBodyBytes: parsed.GRAPHQL_MAX_BODY_BYTES,
  };
}
