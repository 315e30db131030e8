/**
 * What API handlers share, and the per-project mutation guard.
 */
import type { Addresses } from "./addresses.ts";
import type { Clock } from "./clock.ts";
import type { EndpointActivity } from "./endpoint-activity.ts";
import type { Faults } from "./faults.ts";
import type { Operations } from "./operations.ts";
import type { PostgresAdmin } from "./postgres-admin.ts";
import type { EmulatorState } from "./state.ts";
import { locked } from "./errors.ts";

export interface Region {
  region_id: string;
  name: string;
  default: boolean;
  geo_lat: string;
  geo_long: string;
}

export interface ApiSettings {
  regions: Region[];
  projectsLimit: number;
  /** Smallest positive suspend_timeout_seconds accepted (Neon: 60). */
  minSuspendTimeoutSeconds: number;
}

/** Lets handlers drop pooled `/sql` sessions before Postgres objects change under them. */
export interface SqlSessionControl {
  closeDatabases(physicalDatabases: string[]): Promise<void>;
  closeRole(physicalRole: string): Promise<void>;
}

/**
 * Makes "check the lock, then act" atomic: while a mutating call of a project
 * is still doing its database work (before its operations exist), other
 * mutations of that project get 423 as well.
 */
export class ProjectGuard {
  private readonly busy = new Map<string, Promise<void>>();

  constructor(private readonly operations: Operations) {}

  /** Runs a mutation, or throws 423 when the project is locked. */
  mutate<T>(projectId: string, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(projectId)) throw locked();
    this.operations.assertUnlocked(projectId);
    return this.exclusive(projectId, fn);
  }

  /** Runs `fn` after any mutation in progress, ignoring operation locks (project deletion). */
  async after<T>(projectId: string, fn: () => Promise<T>): Promise<T> {
    while (this.busy.has(projectId)) await this.busy.get(projectId);
    return this.exclusive(projectId, fn);
  }

  private async exclusive<T>(projectId: string, fn: () => Promise<T>): Promise<T> {
    const run = fn();
    const settled = run.then(() => undefined, () => undefined);
    this.busy.set(projectId, settled);
    try {
      return await run;
    } finally {
      if (this.busy.get(projectId) === settled) this.busy.delete(projectId);
    }
  }
}

export interface EmulatorContext {
  state: EmulatorState;
  clock: Clock;
  operations: Operations;
  activity: EndpointActivity;
  admin: PostgresAdmin;
  faults: Faults;
  addresses: Addresses;
  sessions: SqlSessionControl;
  guard: ProjectGuard;
  settings: ApiSettings;
  /** Projects being created right now (they count against the quota already). */
  creatingProjects: { count: number };
  /** Applies an endpoint's reachability (faults, `disabled`) to its databases. */
  applyReachability(endpointId: string): Promise<void>;
  log(message: string): void;
}

export interface ApiRequest {
  path: Record<string, string>;
  query: Record<string, any>;
  body: any;
  keyLabel: string;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  /** The tenant the call concerns, for counters (set by createProject, which has no id in its path). */
  projectId?: string;
}

export type Handler = (ctx: EmulatorContext, req: ApiRequest) => Promise<ApiResult>;
