// Entry for the 'graphql-v2' edge function: wires config into the shared handler.
import { createSchema, createYoga } from "graphql-yoga";
import { parseConfig } from "../_shared/config.ts";
import { platformEnv } from "../_shared/platform-config.ts";

parseConfig(platformEnv, Deno.env.toObject());
const yoga = createYoga({
  schema: createSchema({ typeDefs: "type Query { _version: String! }", resolvers: { Query: { _version: () => "0.1.0" } } }),
  graphqlEndpoint: "/graphql-v2",
  graphiql: false,
  landingPage: false,
});

Deno.serve(yoga.fetch);
