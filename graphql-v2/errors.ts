/**
 * One vocabulary for every GraphQL failure: the `ErrorCode`s of `_shared/errors.ts` in
 * `extensions.code`, `extensions.field` for VALIDATION_FAILED, the HTTP status in
 * `extensions.http` (yoga turns it into the response status and strips it from the body).
 *
 * - `AppError` (services, resolvers) and zod errors → their code and message.
 * - Errors of the request itself (unparsable JSON or query, unknown fields, wrong variable types,
 *   limits, batching) → VALIDATION_FAILED (400), PAYLOAD_TOO_LARGE (413), METHOD_NOT_ALLOWED (405).
 * - Everything else, including GraphQL errors raised while executing (e.g. a service returned a
 *   value the schema cannot represent) → INTERNAL with a fixed message; the cause is kept aside
 *   for the log line with the request id, never sent.
 */
import type { GraphQLError } from "graphql";
// Errors are created with yoga's `createGraphQLError` (never `new GraphQLError` from our own
// `graphql` import): yoga checks `instanceof GraphQLError` against *its* copy of graphql, and a
// test runner or bundler may load a second copy (ESM vs CJS) for our files.
import { createGraphQLError } from "graphql-yoga";
import { z } from "zod";
import { AppError, ERROR_STATUS, isAppError, UNEXPECTED_MESSAGE, type ErrorCode } from "../supabase/functions/_shared/errors.ts";
import { fromZodError } from "../supabase/functions/_shared/http.ts";


export interface PublicErrorOptions {
  /** Drop "Did you mean …?" hints, which reveal schema names when introspection is off. */
  hideSchemaHints: boolean;
}

/** Errors already in our shape (idempotence: yoga may pass an error through masking twice). */
const finished = new WeakSet<GraphQLError>();
/** INTERNAL error → the original cause, for the log. */
const causes = new WeakMap<GraphQLError, unknown>();

export function isGraphQLError(value: unknown): value is GraphQLError {
  return value instanceof Error && value.name === "GraphQLError";
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);
}

/** The cause an unexpected (INTERNAL) error was made from, if any. */
export function causeOf(error: GraphQLError): unknown {
  return causes.get(error);
}

type Located = Pick<GraphQLError, "nodes" | "source" | "positions" | "path">;

function locationOf(error: unknown): Partial<Located> {
  if (!isGraphQLError(error)) return {};
  return { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path };
}

function build(message: string, at: Partial<Located>, extensions: Record<string, unknown>): GraphQLError {
  const error = createGraphQLError(message, { ...at, extensions });
  finished.add(error);
  return error;
}

/** A coded error for limits and request checks raised by this layer. */
export function requestError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): GraphQLError {
  return build(message, {}, { code, ...extra, http: { status: ERROR_STATUS[code], ...(headers ? { headers } : {}) } });
}

function internal(error: unknown, cause: unknown): GraphQLError {
  const masked = build(UNEXPECTED_MESSAGE, locationOf(error), { code: "INTERNAL", unexpected: true });
  causes.set(masked, cause);
  return masked;
}

function fromAppError(appError: AppError, error: unknown): GraphQLError {
  if (appError.code === "INTERNAL") return internal(error, appError);
  const { field, ...details } = appError.details ?? {};
  const headers = appError.retryAfterSeconds === undefined ? undefined : { "Retry-After": String(Math.ceil(appError.retryAfterSeconds)) };
  return build(appError.message, locationOf(error), {
    code: appError.code,
    ...(typeof field === "string" ? { field } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
    ...(appError.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: appError.retryAfterSeconds }),
    http: { status: appError.status, ...(headers ? { headers } : {}) },
  });
}

/**
 * `Variable "$input" got invalid value 5 at "input.region"; …` → `input.region`; yoga's checks of
 * the HTTP request (JSON, params) → `request`; parse and validation errors → `query`.
 */
function fieldOfRequestError(error: GraphQLError): string {
  const at = /^Variable "\$\w+" got invalid value .* at "([\w.[\]]+)"/s.exec(error.message);
  if (at) return at[1]!;
  const variable = /^Variable "\$(\w+)"/.exec(error.message);
  if (variable) return variable[1]!;
  return error.extensions?.["code"] === "BAD_REQUEST" ? "request" : "query";
}

/** An error of the request itself (parse, validation, variables, transport checks). */
function fromRequestError(error: GraphQLError, cause: GraphQLError, options: PublicErrorOptions): GraphQLError {
  const http = (error.extensions?.["http"] ?? cause.extensions?.["http"]) as { status?: number; headers?: Record<string, string> } | undefined;
  const status = http?.status;
  const code: ErrorCode = status === 413 || [error, cause].some((e) => e.extensions?.["code"] === "REQUEST_ENTITY_TOO_LARGE") ? "PAYLOAD_TOO_LARGE"
    : status === 405 ? "METHOD_NOT_ALLOWED"
    : status === 401 ? "UNAUTHENTICATED"
    : status === 403 ? "FORBIDDEN"
    : "VALIDATION_FAILED";
  const message = options.hideSchemaHints ? error.message.replace(/\s*Did you mean .*\?$/s, "") : error.message;
  return build(message, locationOf(error), {
    code,
    ...(code === "VALIDATION_FAILED" ? { field: fieldOfRequestError(error) } : {}),
    http: { status: ERROR_STATUS[code], ...(http?.headers ? { headers: http.headers } : {}) },
  });
}

/** Keeps an error that already carries one of our codes, normalising its HTTP extension. */
function fromCodedError(error: GraphQLError, at: unknown, code: ErrorCode): GraphQLError {
  if (code === "INTERNAL") return internal(at, error);
  const { http, unexpected: _unexpected, ...extensions } = error.extensions ?? {};
  const headers = (http as { headers?: Record<string, string> } | undefined)?.headers;
  return build(error.message, locationOf(at), { ...extensions, code, http: { status: ERROR_STATUS[code], ...(headers ? { headers } : {}) } });
}

/**
 * Maps any error raised while serving a request to the error the caller sees. Idempotent.
 * Used as yoga's `maskError` and again on the final result (validation errors skip masking).
 */
export function publicError(error: unknown, options: PublicErrorOptions): GraphQLError {
  if (isGraphQLError(error) && finished.has(error)) return error;
  let cause: unknown = error;
  while (isGraphQLError(cause) && cause.originalError && !finished.has(cause)) cause = cause.originalError;
  if (isGraphQLError(cause) && finished.has(cause)) {
    // Our own error, re-wrapped by graphql-js with a location: keep it, add the location.
    return isGraphQLError(error) && error.path ? build(cause.message, locationOf(error), { ...cause.extensions }) : cause;
  }
  if (isAppError(cause)) return fromAppError(cause, error);
  if (cause instanceof z.ZodError) return fromAppError(fromZodError(cause), error);
  if (isGraphQLError(cause)) {
    const code = cause.extensions?.["code"];
    if (isErrorCode(code)) return fromCodedError(cause, error, code);
    // Raised while executing (has a path) or flagged unexpected: a bug, not the caller's fault.
    if ((isGraphQLError(error) && error.path) || cause.path || cause.extensions?.["unexpected"]) return internal(error, cause);
    // The outermost error has the full message (`Variable "$x" got invalid value …; <cause>`).
    return fromRequestError(isGraphQLError(error) ? error : cause, cause, options);
  }
  return internal(error, cause);
}
