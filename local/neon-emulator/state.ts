/**
 * The emulator's model: projects, branches, endpoints, roles, databases and
 * operations, held in memory and written through to a persistence sink (the
 * admin database, see state-store.ts) so `npm run dev` restarts keep tenants.
 *
 * Times are epoch milliseconds of the emulator clock; responses format them.
 * Runtime-only facts (endpoint activity, connection counts) live in
 * endpoint-activity.ts and are deliberately not persisted.
 */

export interface DefaultEndpointSettings {
  autoscaling_limit_min_cu?: number;
  autoscaling_limit_max_cu?: number;
  suspend_timeout_seconds?: number;
  pg_settings?: Record<string, string>;
}

export interface ProjectRecord {
  id: string;
  name: string;
  region_id: string;
  pg_version: number;
  org_id?: string;
  provisioner: string;
  store_passwords: boolean;
  history_retention_seconds: number;
  default_endpoint_settings: DefaultEndpointSettings;
  settings?: Record<string, unknown>;
  /** Label of the API key that created it (keys themselves are never stored). */
  owner_key: string;
  created_at: number;
  updated_at: number;
}

export interface BranchRecord {
  id: string;
  project_id: string;
  name: string;
  parent_id?: string;
  is_default: boolean;
  protected: boolean;
  init_source: string;
  annotation?: { value: Record<string, string>; created_at: number; updated_at: number };
  created_at: number;
  updated_at: number;
  /** When its create_timeline operation ends: `init` before, `ready` after. */
  ready_at: number;
}

export interface EndpointRecord {
  id: string;
  project_id: string;
  branch_id: string;
  type: "read_write";
  autoscaling_limit_min_cu: number;
  autoscaling_limit_max_cu: number;
  suspend_timeout_seconds: number;
  disabled: boolean;
  provisioner: string;
  pg_settings: Record<string, string>;
  created_at: number;
  updated_at: number;
  /** When the compute (re)started: its start_compute operation's end. */
  started_at: number;
  /** Set by an explicit suspend; activity after it wakes the endpoint again. */
  suspended_at?: number;
  /** The start operation failed: the endpoint stays idle until started again. */
  start_failed?: boolean;
}

export interface RoleRecord {
  project_id: string;
  branch_id: string;
  name: string;
  /** Cluster-wide role name on the local server. */
  physical: string;
  password: string;
  protected: boolean;
  no_login: boolean;
  created_at: number;
  updated_at: number;
}

export interface DatabaseRecord {
  id: number;
  project_id: string;
  branch_id: string;
  name: string;
  /** Database name on the local server. */
  physical: string;
  owner_name: string;
  created_at: number;
  updated_at: number;
}

export interface OperationRecord {
  id: string;
  project_id: string;
  branch_id?: string;
  endpoint_id?: string;
  action: string;
  created_at: number;
  start_at: number;
  end_at: number;
  /** Decided at creation (fault injection): the operation ends `failed` or `error` instead of `finished`. */
  fails?: "failed" | "error";
}

export interface RecordKinds {
  project: ProjectRecord;
  branch: BranchRecord;
  endpoint: EndpointRecord;
  role: RoleRecord;
  database: DatabaseRecord;
  operation: OperationRecord;
}
export type Kind = keyof RecordKinds;
export const KINDS: Kind[] = ["project", "branch", "endpoint", "role", "database", "operation"];

/** Where records go when they change; implemented by state-store.ts. */
export interface PersistenceSink {
  save(kind: Kind, id: string, record: unknown): void;
  remove(kind: Kind, id: string): void;
}

export function recordKey<K extends Kind>(kind: K, record: RecordKinds[K]): string {
  switch (kind) {
    case "role":
    case "database": {
      const r = record as RoleRecord | DatabaseRecord;
      return `${r.branch_id}/${r.name}`;
    }
    default:
      return (record as { id: string }).id;
  }
}

/** One kind of record, indexed by key and by project. */
class Table<T extends { project_id: string }> {
  readonly rows = new Map<string, T>();
  private readonly byProject = new Map<string, Set<string>>();

  get(key: string): T | undefined {
    return this.rows.get(key);
  }

  set(key: string, row: T): void {
    this.rows.set(key, row);
    let keys = this.byProject.get(row.project_id);
    if (!keys) this.byProject.set(row.project_id, (keys = new Set()));
    keys.add(key);
  }

  delete(key: string): T | undefined {
    const row = this.rows.get(key);
    if (!row) return undefined;
    this.rows.delete(key);
    const keys = this.byProject.get(row.project_id);
    keys?.delete(key);
    if (keys?.size === 0) this.byProject.delete(row.project_id);
    return row;
  }

  ofProject(projectId: string): T[] {
    const keys = this.byProject.get(projectId);
    return keys ? [...keys].map((k) => this.rows.get(k)!) : [];
  }
}

export class EmulatorState {
  readonly projects = new Map<string, ProjectRecord>();
  readonly branches = new Table<BranchRecord>();
  readonly endpoints = new Table<EndpointRecord>();
  readonly roles = new Table<RoleRecord>();
  readonly databases = new Table<DatabaseRecord>();
  readonly operations = new Table<OperationRecord>();
  /** Physical database name → record, to route `/sql` and WebSocket sessions. */
  readonly databasesByPhysical = new Map<string, DatabaseRecord>();

  constructor(private sink?: PersistenceSink) {}

  setSink(sink: PersistenceSink | undefined): void {
    this.sink = sink;
  }

  /** Inserts or replaces a record and persists it. */
  put<K extends Kind>(kind: K, record: RecordKinds[K], persist = true): void {
    const key = recordKey(kind, record);
    switch (kind) {
      case "project":
        this.projects.set(key, record as ProjectRecord);
        break;
      case "branch":
        this.branches.set(key, record as BranchRecord);
        break;
      case "endpoint":
        this.endpoints.set(key, record as EndpointRecord);
        break;
      case "role":
        this.roles.set(key, record as RoleRecord);
        break;
      case "database": {
        const db = record as DatabaseRecord;
        this.databases.set(key, db);
        this.databasesByPhysical.set(db.physical, db);
        break;
      }
      case "operation":
        this.operations.set(key, record as OperationRecord);
        break;
    }
    if (persist) this.sink?.save(kind, key, record);
  }

  remove(kind: Kind, key: string): void {
    switch (kind) {
      case "project":
        this.projects.delete(key);
        break;
      case "branch":
        this.branches.delete(key);
        break;
      case "endpoint":
        this.endpoints.delete(key);
        break;
      case "role":
        this.roles.delete(key);
        break;
      case "database": {
        const db = this.databases.delete(key);
        if (db) this.databasesByPhysical.delete(db.physical);
        break;
      }
      case "operation":
        this.operations.delete(key);
        break;
    }
    this.sink?.remove(kind, key);
  }

  branchesOf(projectId: string): BranchRecord[] {
    return this.branches.ofProject(projectId);
  }
  endpointsOf(projectId: string): EndpointRecord[] {
    return this.endpoints.ofProject(projectId);
  }
  rolesOfBranch(projectId: string, branchId: string): RoleRecord[] {
    return this.roles.ofProject(projectId).filter((r) => r.branch_id === branchId);
  }
  databasesOfBranch(projectId: string, branchId: string): DatabaseRecord[] {
    return this.databases.ofProject(projectId).filter((d) => d.branch_id === branchId);
  }
  operationsOf(projectId: string): OperationRecord[] {
    return this.operations.ofProject(projectId);
  }
  endpointOfBranch(projectId: string, branchId: string): EndpointRecord | undefined {
    return this.endpoints.ofProject(projectId).find((e) => e.branch_id === branchId);
  }
  defaultBranch(projectId: string): BranchRecord | undefined {
    return this.branches.ofProject(projectId).find((b) => b.is_default);
  }
}
