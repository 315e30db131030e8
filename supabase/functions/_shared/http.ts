/**
 * The HTTP boundary shared by every edge function: CORS, JSON bodies with a size cap and zod
 * validation, and one place that turns errors into responses (expected → their code and status,
 * unexpected → `INTERNAL`, logged with the request id and never shown).
 */
import { z } from "zod";
import { AppError, isAppError, UNEXPECTED_MESSAGE, type ErrorCode } from "./errors.ts";
import type { Logger } from "./log.ts";

/** The headers Supabase clients send, as in Supabase's own function examples. */
export const corsHeaders: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type, idempotency-key, x-request-id",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
};

export type Handler = (request: Request) => Promise<Response>;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: Record<string, unknown> };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, "Content-Type": "application/json", ...headers },
  });
}

export function requestIdOf(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given && /^[\w.-]{1,128}$/.test(given) ? given : crypto.randomUUID();
}

/** Converts a zod error into VALIDATION_FAILED naming the first offending field. */
export function fromZodError(error: z.ZodError): AppError {
  const issue = error.issues[0];
  const field = issue?.path.join(".") || "body";
  const message = issue?.code === "unrecognized_keys"
    ? `Unknown field(s): ${(issue as { keys: string[] }).keys.join(", ")}. Remove them and try again.`
    : `${field}: ${issue?.message ?? "invalid value"}`;
  const fields = error.issues.map((i) => ({ field: i.path.join(".") || "body", message: i.message }));
  return new AppError("VALIDATION_FAILED", message, { details: { field, fields } });
}

/** Maps any thrown value to a response; unexpected errors are masked and logged. */
export function errorResponse(error: unknown, requestId: string, logger: Logger, headers: Record<string, string> = {}): Response {
  const appError = isAppError(error) ? error : error instanceof z.ZodError ? fromZodError(error) : undefined;
  if (!appError || appError.code === "INTERNAL") {
    logger.error("unexpected error", { requestId, error });
    const body: ErrorBody = { error: { code: "INTERNAL", message: UNEXPECTED_MESSAGE, requestId } };
    return json(body, 500, { "x-request-id": requestId, ...headers });
  }
  if (appError.status >= 500) logger.warn(appError.message, { requestId, code: appError.code });
  const body: ErrorBody = { error: { code: appError.code, message: appError.message, requestId, ...(appError.details ? { details: appError.details } : {}) } };
  const extra: Record<string, string> = { "x-request-id": requestId, ...headers };
  if (appError.retryAfterSeconds !== undefined) extra["Retry-After"] = String(Math.ceil(appError.retryAfterSeconds));
  return json(body, appError.status, extra);
}

/** Wraps a handler: answers CORS preflight, maps errors, adds the request id header. */
export function withErrorBoundary(handler: (request: Request, requestId: string) => Promise<Response>, logger: Logger): Handler {
  return async (request) => {
    if (request.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
    const requestId = requestIdOf(request);
    try {
      const response = await handler(request, requestId);
      response.headers.set("x-request-id", requestId);
      return response;
    } catch (error) {
      return errorResponse(error, requestId, logger);
    }
  };
}

/** Reads and validates a JSON body, refusing bodies over `maxBytes`. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S, maxBytes = 64 * 1024): Promise<z.infer<S>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new AppError("PAYLOAD_TOO_LARGE", `Request body is larger than ${maxBytes} bytes.`);
  const text = await request.text();
  if (text.length > maxBytes) throw new AppError("PAYLOAD_TOO_LARGE", `Request body is larger than ${maxBytes} bytes.`);
  let value: unknown;
  try {
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new AppError("VALIDATION_FAILED", "Request body is not valid JSON.", { details: { field: "body" } });
  }
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

export function requireMethod(request: Request, ...methods: string[]): void {
  if (!methods.includes(request.method)) {
    throw new AppError("METHOD_NOT_ALLOWED", `Use ${methods.join(" or ")} for this endpoint.`);
  }
}
