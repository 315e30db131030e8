/**
 * WebSocket proxy for `@neondatabase/serverless` Pool/Client: `/v2?address=host:port`
 * (and `/v1`, as neondatabase/wsproxy serves) upgrades to a plain byte pipe to
 * Postgres. The client's startup message is read on its way through to learn
 * the database, hence the endpoint: that records activity ("wakes") and lets
 * an unreachable endpoint refuse the session like a dead compute would.
 */
import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket, type RawData } from "ws";
import type { EndpointActivity } from "./endpoint-activity.ts";
import type { EmulatorState, EndpointRecord } from "./state.ts";
import { errorResponse, parseFirstMessage } from "./pg-wire.ts";
import { resolveSqlTarget } from "./sql-over-http.ts";

export interface WsProxyOptions {
  state: EmulatorState;
  activity: EndpointActivity;
  /** The real server address, used when the client asks for the advertised one. */
  target: { host: string; port: number };
  advertised: { host: string; port: number };
  reachable: (ep: EndpointRecord) => boolean;
  allowUnmanagedDatabases: boolean;
}

const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/i;
const toBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));

export class WsProxy {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly sessions = new Set<{ ws: WebSocket; tcp?: Socket }>();

  constructor(private readonly options: WsProxyOptions) {}

  /** Handles an HTTP upgrade; returns false when the path is not the proxy's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/v2" && url.pathname !== "/v1") return false;
    const destination = this.destination(url.searchParams.get("address"));
    if (!destination) {
      socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.pipe(ws, destination));
    return true;
  }

  /** Where to dial: the real server for its advertised address, other loopback addresses as given. */
  private destination(address: string | null): { host: string; port: number } | undefined {
    const m = address ? /^(.*):(\d+)$/.exec(address) : null;
    if (!m) return undefined;
    const host = m[1]!;
    const port = Number(m[2]);
    const { advertised, target } = this.options;
    if ((host === advertised.host && port === advertised.port) || (host === target.host && port === target.port)) return target;
    return LOOPBACK.test(host) ? { host: host.replace(/^\[|\]$/g, ""), port } : undefined;
  }

  private pipe(ws: WebSocket, destination: { host: string; port: number }): void {
    const session: { ws: WebSocket; tcp?: Socket } = { ws };
    this.sessions.add(session);
    let pending: Buffer[] = [];
    let endpoint: EndpointRecord | undefined;
    let openedAt = 0;
    let finished = false;

    const finish = () => {
      if (finished) return;
      finished = true;
      this.sessions.delete(session);
      if (endpoint) this.options.activity.closed(endpoint.id, "ws", openedAt);
      session.tcp?.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000, "Connection is closed");
    };

    const dial = () => {
      const tcp = connect(destination.port, destination.host);
      session.tcp = tcp;
      tcp.setNoDelay(true);
      for (const chunk of pending) tcp.write(chunk);
      pending = [];
      // Backpressure: stop reading from Postgres while the client is slow to take what we sent.
      tcp.on("data", (data) => {
        ws.send(data, { binary: true }, () => {
          if (tcp.isPaused() && ws.bufferedAmount < LOW_WATER) tcp.resume();
        });
        if (ws.bufferedAmount > HIGH_WATER) tcp.pause();
      });
      tcp.on("error", () => finish());
      tcp.on("close", () => finish());
    };

    ws.on("message", (data) => {
      const chunk = toBuffer(data);
      if (session.tcp) {
        session.tcp.write(chunk);
        return;
      }
      pending.push(chunk);
      const first = parseFirstMessage(Buffer.concat(pending));
      if (first.kind === "incomplete") return;
      if (first.kind === "startup") {
        const database = first.params.database ?? first.params.user ?? "";
        const resolution = resolveSqlTarget(this.options.state, database, this.options.reachable, this.options.allowUnmanagedDatabases);
        if (resolution.refusal) {
          this.options.activity.refused(resolution.endpoint);
          const code = resolution.refusal.status === 500 ? "08006" : "3D000";
          ws.send(errorResponse(code, resolution.refusal.message), { binary: true }, () => finish());
          return;
        }
        endpoint = resolution.endpoint;
        if (endpoint) openedAt = this.options.activity.opened(endpoint, "ws");
      }
      dial();
    });
    ws.on("close", () => finish());
    ws.on("error", () => finish());
  }

  /** Ends every proxied session. */
  closeAll(): void {
    for (const s of this.sessions) {
      s.tcp?.destroy();
      s.ws.terminate();
    }
    this.sessions.clear();
    this.wss.close();
  }
}
