/**
 * A scriptable stand-in for Neon's HTTP API (a test double of Neon, not of the gateway): a real
 * `node:http` server on 127.0.0.1:0 serving `/api/v2/...`, so the gateway runs the official client
 * over real HTTP. Each route (`POST /projects/:project_id/branches`) has a queue of scripted
 * replies used in order, then an optional standing reply; anything unscripted answers 418 so a
 * test fails loudly instead of retrying. `hang` never answers (client timeouts).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubRequest {
  method: string;
  /** Path below `/api/v2`, e.g. `/projects/p1/branches`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface StubReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (the connection stays open until the client gives up or the stub closes). */
  hang?: boolean;
}

export type StubResponder = StubReply | ((request: StubRequest, params: Record<string, string>) => StubReply);

export interface NeonStub {
  /** Base URL for the client, ending in `/api/v2`. */
  baseUrl: string;
  requests: StubRequest[];
  /** Queues one-shot replies for `route` ("METHOD /path/:param"). */
  script(route: string, ...replies: StubResponder[]): void;
  /** The reply for `route` once its queue is empty. */
  always(route: string, reply: StubResponder): void;
  /** Requests that matched `route`. */
  requestsTo(route: string): StubRequest[];
  close(): Promise<void>;
}

interface RouteState {
  method: string;
  segments: string[];
  queue: StubResponder[];
  standing?: StubResponder;
}

const API_PREFIX = "/api/v2";

function parseRoute(route: string): { method: string; segments: string[] } {
  const [method, path] = route.split(" ");
  if (!method || !path) throw new Error(`route must look like "GET /projects/:id", got "${route}"`);
  return { method: method.toUpperCase(), segments: path.split("/").filter(Boolean) };
}

function match(state: RouteState, method: string, segments: string[]): Record<string, string> | null {
  if (state.method !== method || state.segments.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = state.segments[i]!;
    if (pattern.startsWith(":")) params[pattern.slice(1)] = decodeURIComponent(segments[i]!);
    else if (pattern !== segments[i]) return null;
  }
  return params;
}

export async function startNeonStub(): Promise<NeonStub> {
  const routes = new Map<string, RouteState>();
  const requests: StubRequest[] = [];
  const hanging = new Set<ServerResponse>();

  const routeState = (route: string) => {
    let state = routes.get(route);
    if (!state) {
      state = { ...parseRoute(route), queue: [] };
      routes.set(route, state);
    }
    return state;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : url.pathname;
      const text = Buffer.concat(chunks).toString("utf8");
      const request: StubRequest = { method: req.method ?? "GET", path, query: url.searchParams, headers: req.headers, body: text ? JSON.parse(text) : undefined };
      requests.push(request);

      const segments = path.split("/").filter(Boolean);
      let reply: StubReply = { status: 418, body: { code: "STUB_UNSCRIPTED", message: `no reply scripted for ${request.method} ${path}` } };
      for (const state of routes.values()) {
        const params = match(state, request.method, segments);
        if (!params) continue;
        const responder = state.queue.shift() ?? state.standing;
        if (responder) reply = typeof responder === "function" ? responder(request, params) : responder;
        break;
      }
      if (reply.hang) {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      const headers: Record<string, string> = { ...reply.headers };
      if (reply.body !== undefined) headers["content-type"] = "application/json";
      res.writeHead(reply.status, headers);
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}${API_PREFIX}`,
    requests,
    script: (route, ...replies) => void routeState(route).queue.push(...replies),
    always: (route, reply) => void (routeState(route).standing = reply),
    requestsTo(route) {
      const state = { ...parseRoute(route), queue: [] };
      return requests.filter((r) => match(state, r.method, r.path.split("/").filter(Boolean)) !== null);
    },
    close: () => new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
