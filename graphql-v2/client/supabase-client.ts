/**
 * Typed GraphQL calls from a frontend through supabase-js: `functions.invoke('graphql-v2', …)`
 * sends the signed-in user's access token (and the API key) like any function call.
 *
 *   const { tenant } = await executeGraphQL(supabase, TenantDocument, { organizationId });
 *
 * Resolves with the operation's typed `data`; rejects with `GraphQLRequestError` carrying the
 * server's `extensions.code` (`UNAUTHENTICATED`, `FORBIDDEN`, `VALIDATION_FAILED` + `field`, …),
 * the request id and the HTTP status. Network failures reject with code `NETWORK_ERROR`.
 */
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import type { SupabaseClient } from "@supabase/supabase-js";
import type { ErrorCode } from "../../supabase/functions/_shared/errors.ts";

export type GraphQLClientErrorCode = ErrorCode | "NETWORK_ERROR" | "BAD_RESPONSE";

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; requestId?: string; retryAfterSeconds?: number; [key: string]: unknown };
}

export class GraphQLRequestError extends Error {
  override readonly name = "GraphQLRequestError";
  readonly code: GraphQLClientErrorCode;
  /** For VALIDATION_FAILED: the offending argument (`input.region`) or `query`/`request`. */
  readonly field?: string;
  readonly requestId?: string;
  /** HTTP status of the response; undefined when none arrived. */
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  /** Every error of the response (the first one gives `code` and `message`). */
  readonly errors: GraphQLErrorEntry[];
  /** Partial data, when the server returned some alongside the errors. */
  readonly data?: unknown;

  constructor(code: GraphQLClientErrorCode, message: string, extra: Partial<Pick<GraphQLRequestError, "field" | "requestId" | "status" | "retryAfterSeconds" | "errors" | "data">> & { cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.field = extra.field;
    this.requestId = extra.requestId;
    this.status = extra.status;
    this.retryAfterSeconds = extra.retryAfterSeconds;
    this.errors = extra.errors ?? [];
    this.data = extra.data;
  }
}

/** A typed document from `graphql-v2/client/generated` (codegen's string documents). */
export type GraphQLDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

export interface ExecuteGraphQLOptions {
  /** Sent as `Idempotency-Key` (mutations such as provisionTenant). */
  idempotencyKey?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Milliseconds before the call is aborted. */
  timeout?: number;
  /** @default "graphql-v2" */
  functionName?: string;
}

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: "VALIDATION_FAILED", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 422: "PROVISIONING_FAILED", 429: "RATE_LIMITED", 503: "UPSTREAM_UNAVAILABLE",
};

function codeOf(value: unknown, status: number | undefined): GraphQLClientErrorCode {
  if (typeof value === "string" && value.length > 0) return value as GraphQLClientErrorCode;
  return (status !== undefined && CODE_OF_STATUS[status]) || (status !== undefined && status < 500 ? "VALIDATION_FAILED" : "INTERNAL");
}

/** Duck-typed: fetch ponyfills (and other realms) make `instanceof Response` unreliable. */
function isResponse(value: unknown): value is Response {
  const candidate = value as Partial<Response> | null;
  return typeof candidate === "object" && candidate !== null && typeof candidate.status === "number" && typeof candidate.text === "function" && typeof candidate.headers?.get === "function";
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

export async function executeGraphQL<TResult, TVariables>(
  supabase: Pick<SupabaseClient, "functions">,
  document: GraphQLDocument<TResult, TVariables>,
  variables: TVariables,
  options: ExecuteGraphQLOptions = {},
): Promise<TResult> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  const { data, error } = await supabase.functions.invoke(options.functionName ?? "graphql-v2", {
    body: { query: document.toString(), variables: variables ?? {} },
    headers,
    signal: options.signal,
    timeout: options.timeout,
  });

  let body: unknown = data;
  let status: number | undefined = error ? undefined : 200;
  let retryAfter: number | undefined;
  if (error) {
    const response = (error as { context?: unknown }).context;
    if (!isResponse(response)) {
      throw new GraphQLRequestError("NETWORK_ERROR", "Could not reach the GraphQL API. Check the connection and try again.", { cause: error });
    }
    status = response.status;
    const header = Number(response.headers.get("retry-after"));
    retryAfter = Number.isFinite(header) && header > 0 ? header : undefined;
    body = await readBody(response);
  }

  const result = (typeof body === "object" && body !== null ? body : {}) as { data?: unknown; errors?: GraphQLErrorEntry[] };
  const errors = Array.isArray(result.errors) ? result.errors : [];
  if (errors.length > 0) {
    const first = errors[0]!.extensions ?? {};
    throw new GraphQLRequestError(codeOf(first.code, status), errors[0]!.message, {
      field: first.field, requestId: first.requestId, status, retryAfterSeconds: first.retryAfterSeconds ?? retryAfter, errors, data: result.data ?? undefined,
    });
  }
  if (error || result.data === undefined || result.data === null) {
    const message = typeof body === "string" && body ? body : "The GraphQL API answered without data.";
    throw new GraphQLRequestError(error ? codeOf(undefined, status) : "BAD_RESPONSE", message, { status, retryAfterSeconds: retryAfter });
  }
  return result.data as TResult;
}
