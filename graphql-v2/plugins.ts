/**
 * The yoga plugins of `server.ts`: coded limit errors for graphql-armor, the batch cap, the
 * introspection switch, and the last step that gives every error our shape and the request id.
 */
import type { ASTVisitor, ExecutionResult, GraphQLError, ValidationContext } from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { ERROR_STATUS, type ErrorCode } from "../supabase/functions/_shared/errors.ts";
import type { Logger } from "../supabase/functions/_shared/log.ts";
import { causeOf, publicError, requestError, type PublicErrorOptions } from "./errors.ts";

/** Passed by the handler to yoga for each request; yoga merges it into the context. */
export interface ServerContext {
  requestId: string;
  logger: Logger;
}

type Limit = "tokens" | "depth" | "cost" | "aliases";

/**
 * graphql-armor options that report a coded VALIDATION_FAILED instead of armor's bare
 * "Syntax Error" (validation rules report through the context; the token limit runs while
 * parsing, without one, so it throws).
 */
export function limitOptions<T extends object>(limit: Limit, max: number, options: T) {
  return {
    ...options,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(context: { reportError(error: GraphQLError): void } | null, error: GraphQLError) => {
      const detail = error.message.replace(/^Syntax Error: /, "");
      const coded = requestError("VALIDATION_FAILED", `${detail} Ask for less in one request.`, { field: "query", limit, max });
      if (context) context.reportError(coded);
      else throw coded;
    }],
  };
}

/** Caps batched (array) requests before yoga runs any of them. */
export function useBatchLimit(maxBatch: number): Plugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (!Array.isArray(requestParserResult)) return;
          if (maxBatch <= 1) throw requestError("VALIDATION_FAILED", "Batching is off: send one operation per request.", { field: "request", limit: "batch", max: 1 });
          if (requestParserResult.length === 0) throw requestError("VALIDATION_FAILED", "The batch is empty.", { field: "request" });
          if (requestParserResult.length > maxBatch) {
            throw requestError("PAYLOAD_TOO_LARGE", `Batches are limited to ${maxBatch} operations; this one has ${requestParserResult.length}.`, { limit: "batch", max: maxBatch });
          }
        },
      };
    },
  };
}

/** Like graphql's NoSchemaIntrospectionCustomRule (without importing a second copy of graphql). */
export function useNoIntrospection(): Plugin {
  const rule = (context: ValidationContext): ASTVisitor => ({
    Field(node) {
      if (node.name.value === "__schema" || node.name.value === "__type") {
        context.reportError(requestError("VALIDATION_FAILED", `Introspection is disabled: the query asks for "${node.name.value}".`, { field: "query" }));
      }
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}

/**
 * Last step before a result is serialised: every error gets our shape and the request id;
 * unexpected ones are logged with their cause (masking already hid it from the caller).
 */
export function usePublicErrors(options: PublicErrorOptions): Plugin {
  return {
    onResultProcess({ result, setResult, serverContext }) {
      const { requestId, logger } = serverContext as unknown as ServerContext;
      const finish = (single: ExecutionResult): ExecutionResult => {
        if (!single.errors?.length) return single;
        const errors = single.errors.map((raw) => {
          const error = publicError(raw, options);
          const code = error.extensions["code"];
          try {
            if (code === "INTERNAL") {
              logger.error("unexpected error", { requestId, error: causeOf(error) ?? raw, path: error.path?.join(".") });
            } else if (typeof code === "string" && code in ERROR_STATUS && ERROR_STATUS[code as ErrorCode] >= 500) {
              logger.warn(error.message, { requestId, code });
            }
          } catch {
            // A failing log sink must not turn the answer into a 500.
          }
          // `http` drives the response status; without `spec`, yoga applies it for application/json too.
          const { http, ...extensions } = error.extensions as { http?: { status?: number; headers?: Record<string, string> } };
          const status = http?.status;
          return createGraphQLError(error.message, {
            nodes: error.nodes, source: error.source, positions: error.positions, path: error.path,
            extensions: { ...extensions, requestId, ...(status ? { http: { status, ...(http?.headers ? { headers: http.headers } : {}) } } : {}) },
          });
        });
        return { ...single, errors };
      };
      if (Array.isArray(result)) setResult(result.map(finish));
      else if (isExecutionResult(result)) setResult(finish(result));
    },
  };
}

function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === "object" && value !== null && !(Symbol.asyncIterator in value);
}
