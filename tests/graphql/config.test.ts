/** `graphqlConfigFromEnv`: the entry's environment → handler config (safe defaults, dev tools opt-in). */
import { describe, expect, it } from "vitest";
import { graphqlConfigFromEnv } from "../../graphql-v2/config.ts";
import { defaultGraphQLConfig } from "../../graphql-v2/server.ts";

describe("graphqlConfigFromEnv", () => {
  it("defaults: GraphiQL and introspection off, limits on", () => {
    expect(graphqlConfigFromEnv({})).toEqual(defaultGraphQLConfig);
    expect(defaultGraphQLConfig).toMatchObject({ graphiql: false, introspection: false });
  });

  it("GRAPHQL_DEV_TOOLS=true (npm run dev) turns on GraphiQL and introspection; limits are tunable", () => {
    expect(graphqlConfigFromEnv({ GRAPHQL_DEV_TOOLS: "true", GRAPHQL_MAX_DEPTH: "10", GRAPHQL_MAX_BATCH: "1" }))
      .toMatchObject({ graphiql: true, introspection: true, maxDepth: 10, maxBatch: 1 });
  });

  it("bad values fail fast with CONFIG_INVALID naming each key", () => {
    expect(() => graphqlConfigFromEnv({ GRAPHQL_DEV_TOOLS: "yes", GRAPHQL_MAX_BODY_BYTES: "12" }))
      .toThrow(expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(/GRAPHQL_DEV_TOOLS.*GRAPHQL_MAX_BODY_BYTES/) }));
  });
});
