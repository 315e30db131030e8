/** The executable schema: generated SDL + resolvers. Built once per isolate, on first use. */
import type { GraphQLSchema } from "graphql";
import { createSchema } from "graphql-yoga";
import { typeDefs } from "./generated/type-defs.ts";
import { resolvers } from "./resolvers/index.ts";

let schema: GraphQLSchema | undefined;

export function getSchema(): GraphQLSchema {
  // deno-lint-ignore no-explicit-any -- generated resolver types are stricter than graphql-tools' IResolvers
  schema ??= createSchema({ typeDefs, resolvers: resolvers as any });
  return schema;
}
