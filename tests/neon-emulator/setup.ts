/**
 * Test setup for the Neon emulator: the run-wide Postgres server of the global
 * setup (tests/support/global-setup.ts), emulators with fast test settings, the
 * official clients pointed at them. Kept in this one file so the server source
 * can be swapped.
 */
import { inject } from "vitest";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { WebSocket } from "ws";
import { createApiClient, type Api, type Operation } from "@neondatabase/api-client";
import { neonConfig } from "@neondatabase/serverless";
import { startNeonEmulator, type NeonEmulator, type NeonEmulatorOptions } from "../../local/neon-emulator/index.ts";
import { quoteIdent } from "../../local/neon-emulator/sql-text.ts";

export interface TestServer {
  superuserUrl: string;
  stop(): Promise<void>;
}

/** The global setup's server (vitest.config.ts always runs it); stopping it is the global setup's job. */
export async function startTestPostgres(): Promise<TestServer> {
  return { superuserUrl: inject("superuserUrl"), stop: async () => {} };
}

export interface TestEmulator extends NeonEmulator {
  /** Diagnostics the emulator logged. */
  logs: string[];
  /** Stops the emulator and drops its state database. */
  dispose(): Promise<void>;
}

/**
 * An emulator with test settings: short operations, no background polling
 * (tests call `pollActivity()`), its own state database so emulators of
 * parallel test files never share state.
 */
export async function startTestEmulator(server: TestServer, options: Partial<NeonEmulatorOptions> = {}): Promise<TestEmulator> {
  const stateDatabase = options.stateDatabase ?? `neon_emulator_test_${randomBytes(4).toString("hex")}`;
  const logs: string[] = [];
  const emulator = await startNeonEmulator({
    adminUrl: server.superuserUrl,
    operationDurationMs: 50,
    activityPollMs: 0,
    log: (m) => logs.push(m),
    ...options,
    stateDatabase,
  });
  return Object.assign(emulator, {
    logs,
    async dispose() {
      await emulator.stop();
      if (stateDatabase) await dropDatabase(server.superuserUrl, stateDatabase);
    },
  });
}

export async function dropDatabase(superuserUrl: string, name: string): Promise<void> {
  const sql = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
  } finally {
    await sql.end();
  }
}

/** The official client, configured as the product configures it. */
export function apiClient(emulator: NeonEmulator, apiKey: string | null = emulator.apiKey, timeout?: number): Api<unknown> {
  return createApiClient({ apiKey, baseURL: emulator.url, adapter: "fetch", ...(timeout ? { timeout } : {}) });
}

/** Points `@neondatabase/serverless` at the emulator with the documented local settings. */
export function useEmulatorForServerlessDriver(emulator: NeonEmulator): void {
  Object.assign(neonConfig, emulator.neonConfig);
  neonConfig.webSocketConstructor = WebSocket; // Node 20 has no global WebSocket
}

/** The HTTP status and body of a failed client call. */
export async function apiFailure(promise: Promise<unknown>): Promise<{ status: number; data: any; headers: Record<string, unknown> }> {
  const error = (await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  )) as { response?: { status: number; data: unknown; headers: Record<string, unknown> } };
  if (!error.response) throw error;
  return { status: error.response.status, data: error.response.data, headers: error.response.headers };
}

/** Polls until every operation is finished (what product code does before the next mutation). */
export async function waitForOperations(api: Api<unknown>, projectId: string, operations: Operation[], timeoutMs = 10_000): Promise<Operation[]> {
  const deadline = Date.now() + timeoutMs;
  const done: Operation[] = [];
  for (const op of operations) {
    for (;;) {
      const { data } = await api.getProjectOperation(projectId, op.id);
      if (data.operation.status === "finished") {
        done.push(data.operation);
        break;
      }
      if (!["scheduling", "running"].includes(data.operation.status)) throw new Error(`operation ${op.action} ended ${data.operation.status}`);
      if (Date.now() > deadline) throw new Error(`operation ${op.action} still ${data.operation.status}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return done;
}

/** Runs a query as the cluster superuser. */
export async function asSuperuser<T>(server: TestServer, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(server.superuserUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** Connects with a connection URI (TLS as the URI says) and runs `fn`. */
export async function withUri<T>(uri: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(uri, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
