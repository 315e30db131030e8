/**
 * Neon operations: every mutating call schedules some (create_timeline,
 * start_compute, apply_config, …) that go scheduling → running → finished (or
 * failed, by fault injection) over a configurable duration. While any
 * operation of a project is unfinished, further mutations get 423.
 *
 * Status is derived from the clock rather than driven by timers, so a test
 * can advance the clock and a restarted emulator still knows where each
 * operation is.
 */
import type { Clock } from "./clock.ts";
import { iso } from "./clock.ts";
import { newOperationId } from "./ids.ts";
import type { EmulatorState, OperationRecord } from "./state.ts";
import type { Faults } from "./faults.ts";
import { locked } from "./errors.ts";

export type OperationStatus = "scheduling" | "running" | "finished" | "failed" | "error";

export interface OperationTiming {
  /** Time from scheduling to finished, per operation, in ms. */
  durationMs: number;
  /** Share of the duration spent in `scheduling` (0..1). */
  schedulingShare: number;
}

export interface OperationSpec {
  action: string;
  branch_id?: string;
  endpoint_id?: string;
}

export class Operations {
  constructor(
    private readonly state: EmulatorState,
    private readonly clock: Clock,
    private readonly faults: Faults,
    private readonly timing: OperationTiming,
  ) {}

  status(op: OperationRecord, now = this.clock.now()): OperationStatus {
    if (now >= op.end_at) return op.fails ?? "finished";
    const schedulingEnds = op.start_at + (op.end_at - op.start_at) * this.timing.schedulingShare;
    return now < schedulingEnds ? "scheduling" : "running";
  }

  inProgress(op: OperationRecord, now = this.clock.now()): boolean {
    const s = this.status(op, now);
    return s === "scheduling" || s === "running";
  }

  /** Throws 423 when the project has unfinished operations (Neon's per-project lock). */
  assertUnlocked(projectId: string): void {
    const now = this.clock.now();
    if (this.state.operationsOf(projectId).some((op) => this.inProgress(op, now))) throw locked();
  }

  /** Creates operations that run one after another, as Neon chains them. */
  schedule(projectId: string, specs: OperationSpec[]): OperationRecord[] {
    const now = this.clock.now();
    let start = now;
    return specs.map((spec) => {
      const op: OperationRecord = {
        id: newOperationId(),
        project_id: projectId,
        ...(spec.branch_id ? { branch_id: spec.branch_id } : {}),
        ...(spec.endpoint_id ? { endpoint_id: spec.endpoint_id } : {}),
        action: spec.action,
        created_at: now,
        start_at: start,
        end_at: start + this.timing.durationMs,
      };
      const failure = this.faults.operationFailure();
      if (failure) op.fails = failure;
      start = op.end_at;
      this.state.put("operation", op);
      return op;
    });
  }

  /** The API shape of an operation. */
  toApi(op: OperationRecord, now = this.clock.now()) {
    const status = this.status(op, now);
    const done = status === "finished" || status === "failed" || status === "error";
    const updated = done ? op.end_at : Math.max(op.created_at, Math.min(now, op.start_at + (op.end_at - op.start_at) * this.timing.schedulingShare));
    return {
      id: op.id,
      project_id: op.project_id,
      ...(op.branch_id ? { branch_id: op.branch_id } : {}),
      ...(op.endpoint_id ? { endpoint_id: op.endpoint_id } : {}),
      action: op.action,
      status,
      ...(op.fails && done ? { error: "operation failed (injected by the local Neon emulator)" } : {}),
      failures_count: op.fails && done ? 1 : 0,
      created_at: iso(op.created_at),
      updated_at: iso(updated),
      total_duration_ms: Math.max(0, Math.round((done ? op.end_at : Math.max(now, op.start_at)) - op.start_at)),
    };
  }
}
