/**
 * API shapes of the records, with every field the spec marks required.
 * Consumption figures are zero: nothing is metered locally.
 */
import { iso } from "./clock.ts";
import type { Addresses } from "./addresses.ts";
import type { EndpointActivity } from "./endpoint-activity.ts";
import type { BranchRecord, DatabaseRecord, EndpointRecord, ProjectRecord, RoleRecord } from "./state.ts";

const CREATION_SOURCE = "console";

const consumptionPeriod = (now: number) => {
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { consumption_period_start: iso(start), consumption_period_end: iso(end) };
};

const platformOf = (regionId: string) => regionId.split("-")[0] ?? "aws";

function projectCommon(p: ProjectRecord, proxyHost: string) {
  return {
    id: p.id,
    platform_id: platformOf(p.region_id),
    region_id: p.region_id,
    name: p.name,
    provisioner: p.provisioner,
    default_endpoint_settings: {
      autoscaling_limit_min_cu: p.default_endpoint_settings.autoscaling_limit_min_cu ?? 0.25,
      autoscaling_limit_max_cu: p.default_endpoint_settings.autoscaling_limit_max_cu ?? 0.25,
      suspend_timeout_seconds: p.default_endpoint_settings.suspend_timeout_seconds ?? 0,
      ...(p.default_endpoint_settings.pg_settings ? { pg_settings: p.default_endpoint_settings.pg_settings } : {}),
    },
    ...(p.settings ? { settings: p.settings } : {}),
    pg_version: p.pg_version,
    proxy_host: proxyHost,
    branch_logical_size_limit: 0,
    branch_logical_size_limit_bytes: 0,
    store_passwords: p.store_passwords,
    cpu_used_sec: 0,
    creation_source: CREATION_SOURCE,
    history_retention_seconds: p.history_retention_seconds,
    created_at: iso(p.created_at),
    updated_at: iso(p.updated_at),
    owner_id: p.owner_key,
    ...(p.org_id ? { org_id: p.org_id } : {}),
  };
}

export function projectView(p: ProjectRecord, proxyHost: string, now: number) {
  return {
    ...projectCommon(p, proxyHost),
    data_storage_bytes_hour: 0,
    data_transfer_bytes: 0,
    written_data_bytes: 0,
    compute_time_seconds: 0,
    active_time_seconds: 0,
    ...consumptionPeriod(now),
  };
}

/**
 * Activity and storage facts of a project for `listProjects` (both optional in the spec):
 * `compute_last_active_at` is "the most recent time when any endpoint of this project was
 * active" — now while a compute is active, its last session otherwise, omitted without any;
 * `synthetic_storage_size` is the project's databases' size on the server (no WAL locally).
 */
export interface ProjectActivityFacts {
  computeLastActiveAt?: number;
  syntheticStorageSize?: number;
}

export function projectActivityFacts(endpoints: EndpointRecord[], activity: EndpointActivity, now: number, storageBytes?: number): ProjectActivityFacts {
  let last: number | undefined;
  for (const ep of endpoints) {
    const at = activity.stateOf(ep, now).current === "active" ? now : activity.lastActive(ep);
    if (at !== undefined && (last === undefined || at > last)) last = at;
  }
  return { ...(last !== undefined ? { computeLastActiveAt: last } : {}), ...(storageBytes !== undefined ? { syntheticStorageSize: storageBytes } : {}) };
}

export function projectListItemView(p: ProjectRecord, proxyHost: string, facts: ProjectActivityFacts = {}) {
  return {
    ...projectCommon(p, proxyHost),
    active_time: 0,
    ...(facts.syntheticStorageSize !== undefined ? { synthetic_storage_size: facts.syntheticStorageSize } : {}),
    ...(facts.computeLastActiveAt !== undefined ? { compute_last_active_at: iso(facts.computeLastActiveAt) } : {}),
  };
}

export function branchView(b: BranchRecord, now: number) {
  const ready = now >= b.ready_at;
  return {
    id: b.id,
    project_id: b.project_id,
    ...(b.parent_id ? { parent_id: b.parent_id, parent_lsn: "0/1F0A2B8" } : {}),
    name: b.name,
    current_state: ready ? "ready" : "init",
    ...(ready ? {} : { pending_state: "ready" }),
    state_changed_at: iso(ready ? b.ready_at : b.created_at),
    logical_size: 0,
    creation_source: CREATION_SOURCE,
    primary: b.is_default,
    default: b.is_default,
    protected: b.protected,
    cpu_used_sec: 0,
    compute_time_seconds: 0,
    active_time_seconds: 0,
    written_data_bytes: 0,
    data_transfer_bytes: 0,
    created_at: iso(b.created_at),
    updated_at: iso(b.updated_at),
    init_source: b.init_source,
  };
}

export function annotationView(b: BranchRecord) {
  return {
    object: { type: "console/branch", id: b.id },
    value: b.annotation?.value ?? {},
    ...(b.annotation ? { created_at: iso(b.annotation.created_at), updated_at: iso(b.annotation.updated_at) } : {}),
  };
}

export function endpointView(ep: EndpointRecord, regionId: string, addresses: Addresses, activity: EndpointActivity, now: number) {
  const { current, pending } = activity.stateOf(ep, now);
  const lastActive = activity.lastActive(ep);
  const host = addresses.hostPort(ep);
  return {
    host,
    id: ep.id,
    project_id: ep.project_id,
    branch_id: ep.branch_id,
    autoscaling_limit_min_cu: ep.autoscaling_limit_min_cu,
    autoscaling_limit_max_cu: ep.autoscaling_limit_max_cu,
    region_id: regionId,
    type: ep.type,
    current_state: current,
    ...(pending ? { pending_state: pending } : {}),
    settings: { pg_settings: ep.pg_settings },
    pooler_enabled: false,
    pooler_mode: "transaction",
    disabled: ep.disabled,
    passwordless_access: false,
    ...(lastActive !== undefined ? { last_active: iso(lastActive) } : {}),
    creation_source: CREATION_SOURCE,
    created_at: iso(ep.created_at),
    updated_at: iso(ep.updated_at),
    ...(ep.started_at <= now ? { started_at: iso(ep.started_at) } : {}),
    ...(ep.suspended_at !== undefined && current === "idle" ? { suspended_at: iso(ep.suspended_at) } : {}),
    proxy_host: addresses.host,
    suspend_timeout_seconds: ep.suspend_timeout_seconds,
    provisioner: ep.provisioner,
  };
}

export function roleView(r: RoleRecord, withPassword: boolean) {
  return {
    branch_id: r.branch_id,
    name: r.name,
    ...(withPassword ? { password: r.password } : {}),
    protected: r.protected,
    authentication_method: "password",
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

export function databaseView(d: DatabaseRecord) {
  return {
    id: d.id,
    branch_id: d.branch_id,
    name: d.name,
    owner_name: d.owner_name,
    created_at: iso(d.created_at),
    updated_at: iso(d.updated_at),
  };
}
