/** Minimal Neon API bodies for the stub (only the fields the gateway reads, plus a few for realism). */
import type { StubReply } from "./stub-server.ts";

const at = "2026-11-23T12:00:00Z";

export const operation = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
  id, project_id: "p-1", branch_id: "br-main", action: "start_compute", status, failures_count: 0, created_at: at, updated_at: at, total_duration_ms: 0, ...extra,
});

export const project = (id: string, name: string) => ({
  id, name, region_id: "aws-eu-central-1", platform_id: "aws", pg_version: 17, proxy_host: "eu-central-1.aws.neon.tech", store_passwords: true, created_at: at, updated_at: at,
});

export const branch = (id: string, name: string) => ({ id, name, project_id: "p-1", current_state: "ready", created_at: at, updated_at: at });

export const endpoint = (id: string, branchId: string) => ({
  id, branch_id: branchId, project_id: "p-1", host: `${id}.eu-central-1.aws.neon.tech`, type: "read_write", current_state: "idle",
  autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 1, suspend_timeout_seconds: 0, region_id: "aws-eu-central-1",
});

export const OWNER_PASSWORD = "owner-pw-7f3a9c";

export const createdProject = (id = "p-1", name = "tenant-acme") => ({
  project: project(id, name),
  branch: branch("br-main", "main"),
  endpoints: [endpoint("ep-main", "br-main")],
  roles: [{ branch_id: "br-main", name: "neondb_owner", password: OWNER_PASSWORD, protected: false, created_at: at, updated_at: at }],
  databases: [{ id: 1, branch_id: "br-main", name: "neondb", owner_name: "neondb_owner", created_at: at, updated_at: at }],
  operations: [operation("op-timeline", "running", { action: "create_timeline" }), operation("op-compute", "scheduling")],
  connection_uris: [{
    connection_uri: `postgresql://neondb_owner:${OWNER_PASSWORD}@ep-main.eu-central-1.aws.neon.tech/neondb?sslmode=require`,
    connection_parameters: { database: "neondb", password: OWNER_PASSWORD, role: "neondb_owner", host: "ep-main.eu-central-1.aws.neon.tech", pooler_host: "ep-main-pooler.eu-central-1.aws.neon.tech" },
  }],
});

export const LOCKED: StubReply = { status: 423, body: { code: "", message: "project already has running conflicting operations, scheduling of new ones is prohibited" } };
export const RATE_LIMITED: StubReply = { status: 429, body: { code: "", message: "rate limit exceeded" } };
export const UNAVAILABLE: StubReply = { status: 503, body: { code: "", message: "service unavailable" } };
export const SERVER_ERROR: StubReply = { status: 500, body: { code: "", message: "internal error" } };
export const NOT_FOUND: StubReply = { status: 404, body: { code: "", message: "not found" } };
