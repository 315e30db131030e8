/**
 * The `/api/v2` pipeline: API key → route (spec) → rate limit → injected
 * faults → request validation (spec) → handler → persistence → response,
 * counting every request on the way.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiCounterSet } from "./counters.ts";
import type { EmulatorContext } from "./context.ts";
import { ApiError, MESSAGES, errorBody } from "./errors.ts";
import type { Faults } from "./faults.ts";
import { newRequestId } from "./ids.ts";
import type { OpenApiRoutes } from "./openapi.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { HANDLERS } from "./routes.ts";
import { sendJson, sleep } from "./http-util.ts";

export const API_PREFIX = "/api/v2";

const INJECTED_MESSAGES: Record<number, string> = {
  423: MESSAGES.locked,
  429: MESSAGES.rateLimited,
  500: "internal server error",
  503: "service unavailable",
};

export interface ApiServerDeps {
  ctx: EmulatorContext;
  routes: OpenApiRoutes;
  /** API key → label used in counters. */
  apiKeys: Map<string, string>;
  rateLimiter: RateLimiter;
  counters: ApiCounterSet;
  faults: Faults;
  /** Waits until state changes are persisted. */
  flush: () => Promise<void>;
  /** Requests held open by the hang fault, released on stop. */
  hung: Set<ServerResponse>;
}

export async function handleApi(deps: ApiServerDeps, req: IncomingMessage, res: ServerResponse, path: string, search: URLSearchParams, rawBody: string): Promise<void> {
  const { ctx, counters } = deps;
  const requestIdHeader = req.headers["x-request-id"];
  const requestId = typeof requestIdHeader === "string" && requestIdHeader ? requestIdHeader : newRequestId();
  const headers = { "x-request-id": requestId };
  const method = (req.method ?? "GET").toUpperCase();
  const relative = path.slice(API_PREFIX.length).replace(/\/+$/, "") || "/";
  const fail = (error: ApiError) => sendJson(res, error.status, errorBody(error, requestId), headers);

  const auth = req.headers.authorization ?? "";
  const key = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
  const keyLabel = key !== undefined ? deps.apiKeys.get(key) : undefined;
  const { route, params, allowed } = deps.routes.match(method, relative);
  const routeName = route?.operationId ?? "unknown";
  if (!keyLabel) {
    counters.record({ route: routeName, outcome: "401" });
    return fail(new ApiError(401, key === undefined ? "authentication required" : "invalid API key"));
  }
  let projectId = params.project_id;
  const record = (outcome: string, extra: { rateLimited?: boolean; injectedStatus?: number; injectedLatencyMs?: number } = {}) =>
    counters.record({ route: routeName, keyLabel, projectId, outcome, ...extra });

  if (!route) {
    record(allowed.length ? "405" : "404");
    return allowed.length ? fail(new ApiError(405, `method ${method} not allowed`)) : fail(new ApiError(404, "not found"));
  }
  const handler = HANDLERS[route.operationId];
  if (!handler) {
    record("501");
    return fail(new ApiError(501, `${route.operationId} is not implemented by the local Neon emulator`));
  }
  if (!deps.rateLimiter.allow(keyLabel, route.operationId, ctx.clock.now())) {
    record("429", { rateLimited: true });
    return fail(new ApiError(429, MESSAGES.rateLimited));
  }

  const fault = deps.faults.decide(route.operationId, route.mutating);
  if (fault.hang) {
    record("hung");
    deps.hung.add(res);
    res.on("close", () => deps.hung.delete(res));
    return; // never answered
  }
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault.status) {
    record(String(fault.status), { injectedStatus: fault.status, injectedLatencyMs: fault.latencyMs });
    return fail(new ApiError(fault.status, INJECTED_MESSAGES[fault.status]!));
  }

  let status: number;
  try {
    const request = deps.routes.validate(route, params, search, rawBody);
    const result = await handler(ctx, { ...request, body: request.body ?? {}, keyLabel });
    if (route.mutating) await deps.flush();
    projectId = result.projectId ?? projectId;
    status = result.status;
    if (fault.lostResponse) {
      // The call took effect; the client never learns it (think: a timeout after a create).
      record("lost", { injectedLatencyMs: fault.latencyMs });
      req.socket.destroy();
      return;
    }
    sendJson(res, result.status, result.body, headers);
  } catch (err) {
    const error = err instanceof ApiError ? err : new ApiError(500, `internal error: ${(err as Error).message}`);
    if (!(err instanceof ApiError)) ctx.log(`${route.operationId} failed: ${(err as Error).stack ?? err}`);
    status = error.status;
    fail(error);
  }
  record(String(status), { injectedLatencyMs: fault.latencyMs });
}
