/**
 * Serves supabase/functions/* locally the way `supabase functions serve` does: one real Deno
 * process per function (its own deno.json import map, like an isolate per function), behind an
 * HTTP gateway at http://127.0.0.1:<port>/functions/v1/<name>. The gateway applies `verify_jwt`
 * from supabase/config.toml (skipping CORS preflight), strips `/functions/v1` so the function sees
 * `/<name>/…`, and restarts a worker that died on the next request to it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { REPO_ROOT } from "../supabase/database.ts";
import { denoBinary, denoEnv } from "../deno.ts";
import { freePort, portInUse } from "../postgres.ts";

export interface FunctionConfig { name: string; verifyJwt: boolean; importMap: string; entrypoint: string }

export function readFunctionConfigs(root = REPO_ROOT): FunctionConfig[] {
  const config = parseToml(readFileSync(join(root, "supabase", "config.toml"), "utf8")) as { functions?: Record<string, { verify_jwt?: boolean; import_map?: string; entrypoint?: string }> };
  return Object.entries(config.functions ?? {}).map(([name, fn]) => ({
    name,
    verifyJwt: fn.verify_jwt ?? true,
    importMap: join(root, "supabase", fn.import_map ?? `./functions/${name}/deno.json`),
    entrypoint: join(root, "supabase", fn.entrypoint ?? `./functions/${name}/index.ts`),
  }));
}

export interface FunctionsServerOptions {
  port: number;
  /** Environment of every function (SUPABASE_* plus ours). */
  env: Record<string, string>;
  jwks: JSONWebKeySet;
  /** Keys the platform accepts in place of a JWT (publishable and secret keys). */
  apiKeys?: string[];
  /** Receives each line a function prints, and gateway notices. */
  onLog?: (source: string, line: string) => void;
  /** Only these functions (default: every function in config.toml). */
  only?: string[];
}

interface Worker { config: FunctionConfig; port: number; child?: ChildProcess; ready?: Promise<void> }

export interface FunctionsServer {
  url: string;
  /** PID of a function's current Deno process (for crash tests). */
  pid(name: string): number | undefined;
  /** Kills a function's process with SIGKILL, as a crashed isolate; the next request starts a new one. */
  kill(name: string): Promise<void>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000; // a first start may download npm packages into the Deno cache

export async function startFunctionsServer(options: FunctionsServerOptions): Promise<FunctionsServer> {
  if (await portInUse(options.port)) {
    throw new Error(`Port ${options.port} is already in use: is another 'npm run dev' running? Stop it or set API_PORT.`);
  }
  const log = options.onLog ?? (() => {});
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const jwks = createLocalJWKSet(options.jwks);
  const apiKeys = new Set(options.apiKeys ?? []);
  const accepted = new Map<string, number>();
  const workers = new Map<string, Worker>();
  for (const config of readFunctionConfigs()) {
    if (options.only && !options.only.includes(config.name)) continue;
    if (!existsSync(config.entrypoint)) continue;
    workers.set(config.name, { config, port: await freePort() });
  }
  let stopping = false;

  function startWorker(worker: Worker): Promise<void> {
    const args = ["run", "--allow-all", "--no-lock", `--config=${worker.config.importMap}`, join(REPO_ROOT, "local", "functions", "deno-worker.ts"), worker.config.name, String(worker.port)];
    const child = spawn(denoBinary(), args, { cwd: REPO_ROOT, env: denoEnv(options.env), stdio: ["ignore", "pipe", "pipe"] });
    worker.child = child;
    worker.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${worker.config.name} did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      let buffered = "";
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.includes('"worker ready"')) { clearTimeout(timer); resolve(); }
          else if (line.trim()) log(worker.config.name, line);
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        if (worker.child === child) worker.child = undefined;
        reject(new Error(`${worker.config.name} exited during start-up (${signal ?? code})`));
        if (!stopping) log("gateway", `${worker.config.name} worker exited (${signal ?? code}); it restarts on the next request`);
      });
    });
    worker.ready.catch(() => {});
    return worker.ready;
  }

  async function ensureWorker(worker: Worker): Promise<void> {
    if (!worker.child || worker.child.exitCode !== null || worker.child.signalCode !== null) await startWorker(worker);
    else await worker.ready;
  }

  async function verify(request: IncomingMessage): Promise<string | undefined> {
    const header = request.headers.authorization;
    const token = typeof header === "string" ? /^Bearer\s+(.+)$/i.exec(header)?.[1] : undefined;
    // Like the platform: publishable and secret API keys pass on either header (the function
    // itself decides what such a caller may do); anything else must be a valid JWT.
    const apikey = request.headers.apikey;
    if (!token && typeof apikey === "string" && apiKeys.has(apikey)) return undefined;
    if (!token) return "Missing authorization header";
    if (apiKeys.has(token)) return undefined;
    const until = accepted.get(token);
    if (until !== undefined && until > Date.now()) return undefined;
    try {
      const { payload } = await jwtVerify(token, jwks, { requiredClaims: ["exp"] });
      if (accepted.size >= 1000) accepted.delete(accepted.keys().next().value!);
      // Remember a valid token until its expiry (at most a minute), as the function does.
      accepted.set(token, Math.min((payload.exp ?? 0) * 1000, Date.now() + 60_000));
      return undefined;
    } catch {
      return "Invalid JWT";
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/auth/v1/.well-known/jwks.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(options.jwks));
      return;
    }
    const match = /^\/functions\/v1\/([^/?]+)(\/.*)?$/.exec(url.pathname);
    const worker = match ? workers.get(match[1]!) : undefined;
    if (!worker) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ code: "NOT_FOUND", message: "Function not found" }));
      return;
    }
    if (worker.config.verifyJwt && req.method !== "OPTIONS") {
      const problem = await verify(req);
      if (problem) {
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ code: 401, message: problem }));
        return;
      }
    }
    await ensureWorker(worker);
    const headers = { ...req.headers };
    delete headers.connection;
    headers.host = `127.0.0.1:${worker.port}`;
    // A plain byte pipe (no re-parsing of bodies) over kept-alive connections, like Kong in front
    // of the edge runtime: the gateway's share of a request stays small.
    await new Promise<void>((resolve, reject) => {
      const upstream = httpRequest({
        host: "127.0.0.1", port: worker.port, method: req.method, agent,
        path: `/${worker.config.name}${match![2] ?? ""}${url.search}`, headers,
      }, (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
        response.on("end", resolve);
        response.on("error", reject);
      });
      upstream.on("error", reject);
      req.pipe(upstream);
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      log("gateway", `request failed: ${error.message}`);
      if (!res.headersSent) res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ code: "BOOT_ERROR", message: "Function failed to start (please check logs)" }));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });

  // Like the edge runtime, a function that fails to boot (e.g. a missing secret) does not stop the
  // others: its requests get 503 BOOT_ERROR and its log says why.
  const boots = await Promise.allSettled([...workers.values()].map((w) => startWorker(w)));
  boots.forEach((boot, i) => {
    if (boot.status === "rejected") log("gateway", `${[...workers.keys()][i]} failed to boot: ${(boot.reason as Error).message}`);
  });

  return {
    url: `http://127.0.0.1:${options.port}`,
    pid: (name) => workers.get(name)?.child?.pid,
    async kill(name) {
      const child = workers.get(name)?.child;
      if (!child) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      stopping = true;
      const exits = [...workers.values()].map((w) => w.child && w.child.exitCode === null ? new Promise((r) => { w.child!.once("exit", r); w.child!.kill("SIGTERM"); }) : undefined);
      await Promise.all(exits);
      agent.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
