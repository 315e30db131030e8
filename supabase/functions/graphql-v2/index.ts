import { createYoga, createSchema } from "graphql-yoga";
import postgres from "postgres";
import { z } from "zod";
import { createLogger } from "../_shared/log.ts";
import { createAuthenticator } from "../_shared/auth.ts";
import { createSqlClient } from "../_shared/db.ts";
const yoga = createYoga({ schema: createSchema({ typeDefs: "type Query { hello: String }", resolvers: { Query: { hello: () => "hi" } } }), graphqlEndpoint: "/graphql-v2" });
console.log(typeof postgres, typeof z, typeof createLogger, typeof createAuthenticator, typeof createSqlClient);
Deno.serve(yoga.fetch);
