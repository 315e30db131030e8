-- Central registry, part 3: tenant_databases, one live row per organization, with the status
-- machine (CHECK + transition table + trigger) and per-step provisioning progress. State changes
-- go through the functions of 20261123000500_tenant_lifecycle.sql, which lock the row.

-- ---------------------------------------------------------------------------------------------
-- Vocabulary (single source for CHECKs and functions)

create function private.provisioning_steps() returns text[]
language sql immutable parallel safe
set search_path = ''
as $$
  select array['claim', 'create_database', 'wait_for_operations', 'store_credentials', 'apply_migrations',
               'seed_data', 'verify_endpoint', 'first_health_check', 'activate']::text[]
$$;
comment on function private.provisioning_steps() is 'The provisioning steps, in the order they must run.';
revoke all on function private.provisioning_steps() from public;

create function private.initial_provisioning_status() returns jsonb
language sql immutable
set search_path = ''
as $$
  select jsonb_object_agg(step, jsonb_build_object(
    'state', 'pending', 'attempts', 0, 'started_at', null, 'finished_at', null, 'error_code', null, 'error_message', null))
  from unnest(private.provisioning_steps()) as step
$$;
comment on function private.initial_provisioning_status() is 'provisioning_status of a new tenant: every step pending, 0 attempts.';
revoke all on function private.initial_provisioning_status() from public;

create function private.provisioning_status_is_valid(p jsonb) returns boolean
language sql immutable
set search_path = ''
as $$
  select jsonb_typeof(p) = 'object'
    and not exists (
      select 1
      from jsonb_each(p) as e (step, entry)
      where e.step <> all (private.provisioning_steps())
         or jsonb_typeof(e.entry) <> 'object'
         or coalesce(e.entry ->> 'state', '') not in ('pending', 'running', 'succeeded', 'failed', 'skipped')
         or coalesce(jsonb_typeof(e.entry -> 'attempts'), '') <> 'number'
    )
$$;
comment on function private.provisioning_status_is_valid(jsonb) is 'CHECK helper: provisioning_status is an object keyed by known steps, each {state: pending|running|succeeded|failed|skipped, attempts: number, …}.';
revoke all on function private.provisioning_status_is_valid(jsonb) from public;

-- ---------------------------------------------------------------------------------------------
-- tenant_databases

create table public.tenant_databases (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete restrict,

  -- What was asked for
  strategy text not null default 'project',
  region text not null,
  plan text not null,
  compute_size text not null,
  idempotency_key text,
  requested_by uuid references auth.users (id) on delete set null,

  -- Lifecycle
  status text not null default 'pending',
  status_reason text,
  status_changed_at timestamptz not null default now(),
  provisioning_status jsonb not null default private.initial_provisioning_status(),
  current_step text,
  provisioning_attempt integer not null default 0,
  lease_owner text,
  lease_expires_at timestamptz,

  -- Neon resources (not secret)
  neon_project_id text,
  neon_branch_id text,
  neon_endpoint_id text,
  neon_database_name text,

  -- Credentials: Vault secret ids only (plain uuids, no FK into vault), plus the non-secret parts
  owner_direct_secret_id uuid,
  owner_pooled_secret_id uuid,
  app_direct_secret_id uuid,
  app_pooled_secret_id uuid,
  connection_info jsonb not null default '{}'::jsonb,
  credentials_version integer not null default 0,
  credentials_rotated_at timestamptz,

  -- GraphQL endpoint and TLS
  graphql_endpoint_url text,
  graphql_endpoint_status text not null default 'pending',
  ssl_mode text not null default 'require',
  ssl_status text not null default 'pending',
  ssl_verified_at timestamptz,

  -- Health
  health_status text not null default 'unknown',
  last_health_check_at timestamptz,
  health_check_requested_at timestamptz,

  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  activated_at timestamptz,
  deleted_at timestamptz,

  constraint tenant_databases_strategy check (strategy in ('project', 'branch')),
  constraint tenant_databases_region_format check (region ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  constraint tenant_databases_plan check (plan in ('free', 'starter', 'professional', 'enterprise')),
  constraint tenant_databases_compute_size check (compute_size in ('xs', 's', 'm', 'l', 'xl')),
  constraint tenant_databases_idempotency_key_length check (char_length(idempotency_key) between 1 and 200),
  constraint tenant_databases_status check (status in ('pending', 'provisioning', 'active', 'failed', 'deprovisioning', 'deleted', 'suspended')),
  constraint tenant_databases_status_reason_length check (char_length(status_reason) <= 1000),
  constraint tenant_databases_provisioning_status_valid check (private.provisioning_status_is_valid(provisioning_status)),
  constraint tenant_databases_current_step check (current_step in ('claim', 'create_database', 'wait_for_operations', 'store_credentials', 'apply_migrations', 'seed_data', 'verify_endpoint', 'first_health_check', 'activate')),
  constraint tenant_databases_attempt_nonnegative check (provisioning_attempt >= 0),
  constraint tenant_databases_lease_pair check ((lease_owner is null) = (lease_expires_at is null)),
  constraint tenant_databases_lease_owner_format check (lease_owner ~ '^[A-Za-z0-9_.:@/-]{1,100}$'),
  constraint tenant_databases_neon_ids_length check (
    char_length(neon_project_id) <= 100 and char_length(neon_branch_id) <= 100
    and char_length(neon_endpoint_id) <= 100 and char_length(neon_database_name) <= 100),
  constraint tenant_databases_connection_info_object check (jsonb_typeof(connection_info) = 'object'),
  constraint tenant_databases_credentials_version check (credentials_version >= 0),
  constraint tenant_databases_graphql_url check (graphql_endpoint_url ~ '^https?://[^[:space:]@]+$'),
  constraint tenant_databases_graphql_status check (graphql_endpoint_status in ('pending', 'ready', 'failed', 'disabled')),
  constraint tenant_databases_ssl_mode check (ssl_mode in ('require', 'verify-ca', 'verify-full')),
  constraint tenant_databases_ssl_status check (ssl_status in ('pending', 'verified', 'failed')),
  constraint tenant_databases_health_status check (health_status in ('unknown', 'healthy', 'degraded', 'unhealthy', 'idle')),
  constraint tenant_databases_deleted_shape check (
    status <> 'deleted' or (deleted_at is not null and lease_owner is null
      and owner_direct_secret_id is null and owner_pooled_secret_id is null
      and app_direct_secret_id is null and app_pooled_secret_id is null))
);
comment on table public.tenant_databases is 'The Neon database of an organization: at most one row per organization whose status is not deleted (deleted rows stay as history). Members read status, steps and health; owners/admins also connection info (get_tenant_connection_info) and connection strings (get_tenant_connection); only service_role changes state, through the registry functions.';
comment on column public.tenant_databases.strategy is 'project: one Neon project per tenant; branch: a branch of a shared template project.';
comment on column public.tenant_databases.region is 'Neon region id, e.g. aws-eu-central-1.';
comment on column public.tenant_databases.plan is 'Customer plan: free | starter | professional | enterprise.';
comment on column public.tenant_databases.compute_size is 'Compute size the engine maps to Neon autoscaling limits: xs (0.25 CU), s (0.25–1), m (0.5–2), l (1–4), xl (2–8).';
comment on column public.tenant_databases.idempotency_key is 'Client key of the provisioning request; a repeated request with the same key returns this row.';
comment on column public.tenant_databases.status is 'pending → provisioning → active; failed (retry → pending); suspended; deprovisioning → deleted. Allowed moves: tenant_status_transitions.';
comment on column public.tenant_databases.provisioning_status is 'One entry per step (claim … activate): {state: pending|running|succeeded|failed|skipped, attempts, started_at, finished_at, error_code, error_message}. Written by record_provisioning_step.';
comment on column public.tenant_databases.lease_owner is 'Worker holding the provisioning lease (claim_tenant_for_provisioning); another worker may take over once lease_expires_at has passed.';
comment on column public.tenant_databases.owner_direct_secret_id is 'vault.secrets id of the owner-role direct connection string (secret name tenant:<id>:owner_direct). No FK into vault by design.';
comment on column public.tenant_databases.owner_pooled_secret_id is 'vault.secrets id of the owner-role pooled connection string (tenant:<id>:owner_pooled).';
comment on column public.tenant_databases.app_direct_secret_id is 'vault.secrets id of the least-privilege app-role direct connection string (tenant:<id>:app_direct).';
comment on column public.tenant_databases.app_pooled_secret_id is 'vault.secrets id of the least-privilege app-role pooled connection string (tenant:<id>:app_pooled).';
comment on column public.tenant_databases.connection_info is 'Non-secret parts of each stored connection string, by kind: {user, host, port, database, sslmode}. Never a password.';
comment on column public.tenant_databases.credentials_version is 'Bumped on every credential store, rotation and deletion: connection caches compare it to know they are stale.';
comment on column public.tenant_databases.graphql_endpoint_url is 'The tenant''s GraphQL endpoint (graphql-v2 route), once set up.';
comment on column public.tenant_databases.ssl_mode is 'TLS mode clients must use towards the tenant database (Neon requires TLS).';
comment on column public.tenant_databases.ssl_status is 'Whether the verify_endpoint step confirmed TLS to the endpoint.';
comment on column public.tenant_databases.health_status is 'Latest result of the health checker (tenant_health_checks holds the series): unknown (never checked), healthy, degraded, unhealthy, idle (compute scaled to zero; the checker did not wake it).';
comment on column public.tenant_databases.health_check_requested_at is 'Set by request_tenant_health_check; cleared when the checker records a result.';

create unique index tenant_databases_one_live_per_org on public.tenant_databases (organization_id) where status <> 'deleted';
create unique index tenant_databases_idempotency_key on public.tenant_databases (organization_id, idempotency_key) where idempotency_key is not null;
create index tenant_databases_work_queue_idx on public.tenant_databases (status, created_at) where status in ('pending', 'provisioning', 'deprovisioning');
create index tenant_databases_requested_by_idx on public.tenant_databases (requested_by);

-- ---------------------------------------------------------------------------------------------
-- Allowed status moves

create table public.tenant_status_transitions (
  from_status text not null,
  to_status text not null,
  description text not null,
  primary key (from_status, to_status),
  constraint tenant_status_transitions_from check (from_status in ('pending', 'provisioning', 'active', 'failed', 'deprovisioning', 'deleted', 'suspended')),
  constraint tenant_status_transitions_to check (to_status in ('pending', 'provisioning', 'active', 'failed', 'deprovisioning', 'deleted', 'suspended'))
);
comment on table public.tenant_status_transitions is 'The tenant status machine: every allowed (from, to) move. Enforced by a trigger on tenant_databases for every writer.';

insert into public.tenant_status_transitions (from_status, to_status, description) values
  ('pending', 'provisioning', 'a worker claimed the tenant'),
  ('pending', 'failed', 'the request cannot be provisioned'),
  ('pending', 'deprovisioning', 'cancelled before any work'),
  ('provisioning', 'active', 'every step succeeded'),
  ('provisioning', 'failed', 'a step failed for good'),
  ('failed', 'pending', 'retry requested'),
  ('failed', 'deprovisioning', 'clean up a failed tenant'),
  ('active', 'suspended', 'suspended by the operator'),
  ('active', 'deprovisioning', 'deletion requested'),
  ('suspended', 'active', 'resumed'),
  ('suspended', 'deprovisioning', 'deletion requested'),
  ('deprovisioning', 'deleted', 'Neon resources and credentials removed');

alter table public.tenant_status_transitions enable row level security;
grant select on table public.tenant_status_transitions to authenticated, service_role;
create policy tenant_status_transitions_read on public.tenant_status_transitions for select to authenticated, service_role using (true);
comment on policy tenant_status_transitions_read on public.tenant_status_transitions is 'The status machine is public vocabulary.';

create function private.tenant_databases_guard() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'Tenant rows are kept as history: deprovision to status deleted instead.' using errcode = 'PT409';
  end if;
  if tg_op = 'INSERT' then
    if new.status <> 'pending' then
      raise exception 'A tenant database starts as pending.' using errcode = 'PT409';
    end if;
    return new;
  end if;
  if new.organization_id <> old.organization_id or new.id <> old.id then
    raise exception 'A tenant database cannot move to another organization.' using errcode = 'PT409';
  end if;
  if new.status is distinct from old.status then
    if not exists (select 1 from public.tenant_status_transitions t where t.from_status = old.status and t.to_status = new.status) then
      raise exception 'Tenant % cannot go from % to %.', old.id, old.status, new.status
        using errcode = 'PT409', hint = 'Allowed moves are listed in public.tenant_status_transitions.';
    end if;
    new.status_changed_at := now();
  end if;
  new.updated_at := now();
  return new;
end
$$;
comment on function private.tenant_databases_guard() is 'Trigger: new tenants start pending, status moves follow tenant_status_transitions, rows are never deleted or moved between organizations.';
revoke all on function private.tenant_databases_guard() from public;

create trigger tenant_databases_guard
  before insert or update or delete on public.tenant_databases
  for each row execute function private.tenant_databases_guard();

-- ---------------------------------------------------------------------------------------------
-- Grants and policies. Members read the status columns; the rest (lease, idempotency key, Neon
-- ids, connection info, secret ids) is service-only or served by owner/admin functions.

alter table public.tenant_databases enable row level security;

grant select (
  id, organization_id, strategy, region, plan, compute_size,
  status, status_reason, status_changed_at, provisioning_status, current_step, provisioning_attempt,
  graphql_endpoint_url, graphql_endpoint_status, ssl_mode, ssl_status, ssl_verified_at,
  health_status, last_health_check_at, health_check_requested_at,
  created_at, updated_at, activated_at, deleted_at
) on table public.tenant_databases to authenticated;
grant select on table public.tenant_databases to service_role;

create policy tenant_databases_select_member on public.tenant_databases
  for select to authenticated
  using (organization_id in (select public.org_ids_with_role()));
comment on policy tenant_databases_select_member on public.tenant_databases is 'Members of the organization read its tenant status, steps and health (column grants hide credentials and internals).';
