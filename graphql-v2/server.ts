/**
 * The `graphql-v2` handler: `(request) => Promise<Response>`, runtime-agnostic (Deno edge function,
 * vitest in-process). The entry (`supabase/functions/graphql-v2/index.ts`) only builds the services
 * and calls `createGraphQLHandler`.
 *
 * Order of defences: CORS preflight → body size (before any parsing) → yoga (batch cap, token
 * limit while parsing, depth/cost/alias limits and introspection while validating) → context
 * (caller verified from the JWT; invalid token → UNAUTHENTICATED) → resolvers (`requireUser`,
 * zod) → services (RLS). Every error leaves through `errors.ts` with a stable `extensions.code`
 * and `extensions.requestId`; unexpected ones are masked and logged with the request id.
 */
import { createYoga } from "graphql-yoga";
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import type { Authenticate, Caller } from "../supabase/functions/_shared/auth.ts";
import { UNEXPECTED_MESSAGE, type ErrorCode } from "../supabase/functions/_shared/errors.ts";
import { corsHeaders, requestIdOf } from "../supabase/functions/_shared/http.ts";
import type { Logger } from "../supabase/functions/_shared/log.ts";
import { createLoaders, type GraphQLContext } from "./context.ts";
import { publicError, type PublicErrorOptions } from "./errors.ts";
import { limitOptions, useBatchLimit, useNoIntrospection, usePublicErrors, type ServerContext } from "./plugins.ts";
import { getSchema } from "./schema.ts";
import type { TenantServices } from "./services.ts";

export interface GraphQLHandlerConfig {
  /** Serve GraphiQL to browsers on GET /graphql-v2 (development only: hosted Supabase serves HTML as text). @default false */
  graphiql: boolean;
  /** Answer `__schema`/`__type` queries (and show "Did you mean …?" hints). @default false */
  introspection: boolean;
  /** Deepest field nesting (fragments flattened). The deepest shipped operation (Tenants) is 6. @default 8 */
  maxDepth: number;
  /**
   * graphql-armor cost (objects 2, scalars 1, ×1.5 per level, × a literal `first`). The costliest
   * shipped operation is ≈ 185; `tenants(first: 20)` written as a literal with every field ≈ 3 700.
   * @default 5000
   */
  maxCost: number;
  /** Aliased fields per operation. @default 10 */
  maxAliases: number;
  /** Lexical tokens per document. The largest shipped operation has ≈ 100. @default 1000 */
  maxTokens: number;
  /** Operations per batched (array) request; 1 turns batching off. @default 5 */
  maxBatch: number;
  /** Request body bytes (and URL length for GET), checked before parsing. @default 65536 */
  maxBodyBytes: number;
}

export const defaultGraphQLConfig: Readonly<GraphQLHandlerConfig> = Object.freeze({
  graphiql: false,
  introspection: false,
  maxDepth: 8,
  maxCost: 5000,
  maxAliases: 10,
  maxTokens: 1000,
  maxBatch: 5,
  maxBodyBytes: 64 * 1024,
});

export interface GraphQLHandlerOptions {
  services: TenantServices;
  /** `createAuthenticator(...)` from `_shared/auth.ts`: verifies the bearer token. */
  authenticate: Authenticate;
  logger: Logger;
  config?: Partial<GraphQLHandlerConfig>;
}

export const GRAPHQL_ENDPOINT = "/graphql-v2";

const RESPONSE_HEADERS: Record<string, string> = {
  ...corsHeaders,
  "Access-Control-Expose-Headers": "x-request-id, retry-after",
  // Answers are per user and may hold connection strings: never stored by browsers or proxies.
  "Cache-Control": "no-store",
};

export function createGraphQLHandler(options: GraphQLHandlerOptions): (request: Request) => Promise<Response> {
  const config: GraphQLHandlerConfig = { ...defaultGraphQLConfig, ...options.config };
  const { services, authenticate, logger } = options;
  const errorOptions: PublicErrorOptions = { hideSchemaHints: !config.introspection };

  // A batched request builds one context per operation: verify its token once.
  const callers = new WeakMap<Request, Promise<Caller>>();
  const callerOf = (request: Request) => {
    let caller = callers.get(request);
    if (!caller) callers.set(request, caller = authenticate(request));
    return caller;
  };

  const yoga = createYoga<ServerContext, Omit<GraphQLContext, keyof ServerContext | "request">>({
    schema: getSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    graphiql: config.graphiql,
    landingPage: false,
    cors: false, // the handler adds `corsHeaders` itself, like every other function
    multipart: false,
    logging: false, // errors are logged below, with the request id
    batching: config.maxBatch > 1 ? { limit: config.maxBatch } : false,
    maxRequestBodySize: false, // enforced once, before yoga, by `withBodyLimit`
    maskedErrors: { maskError: (error: unknown) => publicError(error, errorOptions) },
    context: async ({ request, requestId }) => {
      const caller = await callerOf(request);
      return { caller, services, loaders: createLoaders(services, caller, requestId) };
    },
    plugins: [
      useBatchLimit(config.maxBatch),
      maxTokensPlugin(limitOptions("tokens", config.maxTokens, { n: config.maxTokens })),
      maxDepthPlugin(limitOptions("depth", config.maxDepth, { n: config.maxDepth, flattenFragments: true })),
      costLimitPlugin(limitOptions("cost", config.maxCost, { maxCost: config.maxCost, flattenFragments: true })),
      maxAliasesPlugin(limitOptions("aliases", config.maxAliases, { n: config.maxAliases })),
      ...(config.introspection ? [] : [useNoIntrospection()]),
      usePublicErrors(errorOptions),
    ],
  });

  return async (request) => {
    if (request.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
    const requestId = requestIdOf(request);
    const requestLogger = logger.child({ requestId });
    let response: Response;
    try {
      const sized = await withBodyLimit(request, config.maxBodyBytes);
      response = sized ? await yoga.fetch(sized, { requestId, logger: requestLogger }) : errorResponse(413, requestId);
    } catch (error) {
      requestLogger.error("unexpected error", { requestId, error });
      response = errorResponse(500, requestId);
    }
    return finishResponse(response, requestId);
  };
}

/**
 * The request if it is at most `maxBytes` (URL and body), else null. A declared Content-Length is
 * exact (the HTTP server enforces the framing), so such a request passes untouched; any other body
 * (chunked, or Content-Length next to Transfer-Encoding) is read up to the limit.
 */
async function withBodyLimit(request: Request, maxBytes: number): Promise<Request | null> {
  if (request.url.length > maxBytes) return null;
  const declared = request.headers.get("content-length");
  const exact = declared !== null && /^\d+$/.test(declared) && !request.headers.has("transfer-encoding");
  if (exact) return Number(declared) > maxBytes ? null : request;
  if (!request.body) return request;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal });
}

const STATUS_CODES: Record<number, [ErrorCode, string]> = {
  400: ["VALIDATION_FAILED", "The request is not a valid GraphQL request."],
  404: ["NOT_FOUND", `Nothing here: send GraphQL requests to ${GRAPHQL_ENDPOINT}.`],
  405: ["METHOD_NOT_ALLOWED", "Use POST (or GET for queries)."],
  406: ["VALIDATION_FAILED", "Accept application/json or application/graphql-response+json."],
  413: ["PAYLOAD_TOO_LARGE", "The request is too large: send a smaller query or fewer variables."],
  415: ["VALIDATION_FAILED", "Send the request as Content-Type: application/json."],
  500: ["INTERNAL", UNEXPECTED_MESSAGE],
};

function errorResponse(status: number, requestId: string): Response {
  const [code, message] = STATUS_CODES[status] ?? STATUS_CODES[status >= 500 ? 500 : 400]!;
  const extensions: Record<string, unknown> = { code, requestId };
  if (code === "VALIDATION_FAILED") extensions.field = "request";
  const body = JSON.stringify({ errors: [{ message, extensions }] });
  return new Response(body, { status: status >= 500 ? 500 : status, headers: { "Content-Type": "application/json; charset=utf-8" } });
}

/** CORS, no-store and the request id on every response; bodiless 4xx from yoga get a GraphQL error body. */
function finishResponse(response: Response, requestId: string): Response {
  const isJson = /json/.test(response.headers.get("content-type") ?? "");
  const finished = response.status >= 400 && !isJson ? errorResponse(response.status, requestId) : response;
  for (const [name, value] of Object.entries(RESPONSE_HEADERS)) finished.headers.set(name, value);
  if (response !== finished && response.headers.get("allow")) finished.headers.set("Allow", response.headers.get("allow")!);
  finished.headers.set("x-request-id", requestId);
  return finished;
}
