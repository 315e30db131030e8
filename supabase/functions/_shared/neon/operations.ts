/**
 * Waiting for Neon's asynchronous operations. Every mutation returns `operations[]`; the next
 * mutation on the same project gets 423 until they end, and a database is not reachable before
 * `start_compute` finishes.
 *
 * Statuses (spec): `finished` and `skipped` are success; `cancelled` and `error` are final
 * failures; `scheduling`, `running` and `cancelling` are in flight. Sources disagree on `failed`
 * (Neon's API reference: "not terminal and may be retried"; Neon's own sample throws on it), so a
 * `failed` operation is given a bounded grace period (`failedGraceMs`, `maxFailures`) to recover
 * before we give up. Any status outside the spec's enum is an error, as the spec asks.
 *
 * API cost: one call per poll. With one pending operation that is `GET …/operations/{id}`; with
 * several it is one `GET …/operations` page (newest first) instead of N gets, falling back to
 * single gets only for operations that page does not contain.
 */
import type { Operation } from "@neondatabase/api-client";
import { NeonOperationError } from "./errors.ts";

export interface OperationWaitOptions {
  /** Stop waiting (NeonOperationError `timeout`) after this long. @default 120000 */
  timeoutMs?: number;
  /** Wait before the first poll; doubles per poll. @default 250 */
  initialDelayMs?: number;
  /** Poll interval ceiling. @default 3000 */
  maxDelayMs?: number;
  /** How long an operation may stay `failed` before we give up. @default 30000 */
  failedGraceMs?: number;
  /** Give up on a `failed` operation once Neon reports this many failures. @default 3 */
  maxFailures?: number;
}

export const DEFAULT_OPERATION_WAIT: Required<OperationWaitOptions> = {
  timeoutMs: 120_000,
  initialDelayMs: 250,
  maxDelayMs: 3_000,
  failedGraceMs: 30_000,
  maxFailures: 3,
};

export interface OperationSource {
  getOperation(projectId: string, operationId: string): Promise<Operation>;
  /** The newest `limit` operations of the project. */
  listOperations(projectId: string, limit: number): Promise<Operation[]>;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
}

const SUCCESS = new Set(["finished", "skipped"]);
const IN_FLIGHT = new Set(["scheduling", "running", "cancelling"]);
const FINAL_FAILURE = new Set(["cancelled", "error"]);

/**
 * Resolves with the final state of every given operation (input order) once all are `finished`
 * or `skipped`; throws `NeonOperationError` as soon as one fails for good.
 */
export async function waitForOperations(
  source: OperationSource,
  projectId: string,
  operations: readonly (Operation | string)[],
  options: OperationWaitOptions = {},
): Promise<Operation[]> {
  const opts = { ...DEFAULT_OPERATION_WAIT, ...options };
  const ids = operations.map((op) => (typeof op === "string" ? op : op.id));
  const latest = new Map<string, Operation>();
  const pending = new Set<string>();
  const failingSince = new Map<string, number>();
  const started = source.clock();

  /** Records `op`; true while it is still pending. Throws when it failed for good. */
  const settle = (op: Operation): boolean => {
    latest.set(op.id, op);
    const status = String(op.status);
    if (SUCCESS.has(status)) return false;
    if (IN_FLIGHT.has(status)) {
      failingSince.delete(op.id);
      return true;
    }
    const fail = (reason: "failed" | "error" | "cancelled" | "unknown_status") =>
      new NeonOperationError({ projectId, operationId: op.id, action: String(op.action), operationStatus: status, reason, detail: op.error });
    if (FINAL_FAILURE.has(status)) throw fail(status as "cancelled" | "error");
    if (status === "failed") {
      const now = source.clock();
      const since = failingSince.get(op.id) ?? now;
      failingSince.set(op.id, since);
      if (op.failures_count >= opts.maxFailures || now - since >= opts.failedGraceMs) throw fail("failed");
      return true;
    }
    throw fail("unknown_status");
  };

  for (const op of operations) {
    const id = typeof op === "string" ? op : op.id;
    if (typeof op === "string" || settle(op)) pending.add(id);
  }

  let delay = opts.initialDelayMs;
  while (pending.size > 0) {
    const remaining = opts.timeoutMs - (source.clock() - started);
    if (remaining <= 0) {
      const id = pending.values().next().value as string;
      const op = latest.get(id);
      throw new NeonOperationError({ projectId, operationId: id, action: String(op?.action ?? "unknown"), operationStatus: String(op?.status ?? "unknown"), reason: "timeout" });
    }
    await source.sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, opts.maxDelayMs);

    let fresh: Operation[];
    if (pending.size === 1) {
      fresh = [await source.getOperation(projectId, pending.values().next().value as string)];
    } else {
      // Newest first; other work (e.g. Neon's own check_availability) may interleave, so ask for
      // a few times more than we wait on.
      const page = await source.listOperations(projectId, Math.min(1000, Math.max(20, pending.size * 4)));
      fresh = page.filter((op) => pending.has(op.id));
      const found = new Set(fresh.map((op) => op.id));
      for (const id of pending) {
        if (!found.has(id)) fresh.push(await source.getOperation(projectId, id));
      }
    }
    for (const op of fresh) {
      if (!settle(op)) pending.delete(op.id);
    }
  }
  return ids.map((id) => latest.get(id)!);
}
