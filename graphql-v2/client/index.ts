/** The frontend's entry: typed documents for every operation, their result types, and the caller. */
export * from "./generated/graphql.ts";
export { executeGraphQL, GraphQLRequestError, type ExecuteGraphQLOptions, type GraphQLClientErrorCode, type GraphQLDocument, type GraphQLErrorEntry } from "./supabase-client.ts";
