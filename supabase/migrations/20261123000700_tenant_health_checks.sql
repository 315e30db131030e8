-- Central registry, part 7: tenant health checks, a time series per tenant written by the health
-- checker (service_role) and read by the organization's members.

create table public.tenant_health_checks (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenant_databases (id) on delete restrict,
  organization_id uuid not null,
  checked_at timestamptz not null default now(),
  status text not null,
  latency_ms integer,
  checks jsonb not null default '{}'::jsonb,
  error_code text,
  error_message text,
  source text not null default 'scheduled',
  constraint tenant_health_checks_status check (status in ('healthy', 'degraded', 'unhealthy', 'idle')),
  constraint tenant_health_checks_latency check (latency_ms between 0 and 3600000),
  constraint tenant_health_checks_checks_object check (jsonb_typeof(checks) = 'object'),
  constraint tenant_health_checks_error_code_format check (error_code ~ '^[A-Za-z0-9_.:-]{1,100}$'),
  constraint tenant_health_checks_error_message_length check (char_length(error_message) <= 2000),
  constraint tenant_health_checks_source check (source in ('scheduled', 'requested', 'provisioning'))
);
comment on table public.tenant_health_checks is 'Health check results per tenant over time (connectivity, latency, storage… in `checks`); status idle = compute scaled to zero and deliberately not woken. Written by record_health_check (service_role); members read their organization''s rows. Prune with prune_tenant_health_checks.';
comment on column public.tenant_health_checks.checks is 'Individual probe results, e.g. {"connectivity": {"ok": true}, "storage": {"used_bytes": 123}}. Never credentials (redacted on write).';
comment on column public.tenant_health_checks.source is 'scheduled (cron), requested (request_tenant_health_check) or provisioning (first_health_check step).';

create index tenant_health_checks_tenant_time_idx on public.tenant_health_checks (tenant_id, checked_at desc);
create index tenant_health_checks_org_time_idx on public.tenant_health_checks (organization_id, checked_at desc);

alter table public.tenant_health_checks enable row level security;
grant select on table public.tenant_health_checks to authenticated, service_role;
revoke all on sequence public.tenant_health_checks_id_seq from anon, authenticated, service_role;

create policy tenant_health_checks_select_member on public.tenant_health_checks
  for select to authenticated
  using (organization_id in (select public.org_ids_with_role()));
comment on policy tenant_health_checks_select_member on public.tenant_health_checks is 'Members read their organization''s health history.';

create function public.record_health_check(
  p_tenant_id uuid,
  p_status text,
  p_latency_ms integer default null,
  p_checks jsonb default '{}'::jsonb,
  p_error_code text default null,
  p_error_message text default null,
  p_source text default 'scheduled'
) returns bigint
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  t public.tenant_databases;
  v_id bigint;
begin
  if p_status is null or p_status not in ('healthy', 'degraded', 'unhealthy', 'idle') then
    raise exception 'health status must be healthy, degraded, unhealthy or idle.' using errcode = 'PT400', hint = 'field: status';
  end if;
  if p_checks is not null and jsonb_typeof(p_checks) <> 'object' then
    raise exception 'checks must be a JSON object.' using errcode = 'PT400', hint = 'field: checks';
  end if;
  if p_latency_ms is not null and p_latency_ms not between 0 and 3600000 then
    raise exception 'latency must be 0–3600000 ms.' using errcode = 'PT400', hint = 'field: latency_ms';
  end if;
  if p_error_code is not null and p_error_code !~ '^[A-Za-z0-9_.:-]{1,100}$' then
    raise exception 'error code must be 1–100 characters of A-Z a-z 0-9 _ . : -.' using errcode = 'PT400', hint = 'field: error_code';
  end if;
  if p_source is null or p_source not in ('scheduled', 'requested', 'provisioning') then
    raise exception 'source must be scheduled, requested or provisioning.' using errcode = 'PT400', hint = 'field: source';
  end if;

  -- Lock: a result never overwrites a concurrent status change half-way.
  select * into t from public.tenant_databases d where d.id = p_tenant_id for update;
  if not found or t.status = 'deleted' then
    raise exception 'Tenant database % does not exist or is deleted.', p_tenant_id using errcode = 'PT404';
  end if;

  insert into public.tenant_health_checks (tenant_id, organization_id, status, latency_ms, checks, error_code, error_message, source)
  values (t.id, t.organization_id, p_status, p_latency_ms, private.redact_jsonb(p_checks), p_error_code,
          left(private.redact(p_error_message), 2000), p_source)
  returning id into v_id;

  update public.tenant_databases d
  set health_status = p_status, last_health_check_at = now(), health_check_requested_at = null
  where d.id = t.id;
  return v_id;
end
$$;
comment on function public.record_health_check(uuid, text, integer, jsonb, text, text, text) is 'The health checker stores one result: appends to tenant_health_checks (redacted), sets the tenant''s health_status and last_health_check_at, clears a pending request. service_role only.';
revoke all on function public.record_health_check(uuid, text, integer, jsonb, text, text, text) from public, anon, authenticated;
grant execute on function public.record_health_check(uuid, text, integer, jsonb, text, text, text) to service_role;

create function public.request_tenant_health_check(
  p_organization_id uuid,
  p_entry_point text default 'sql',
  p_request_id text default null
) returns table (tenant_id uuid, health_check_requested_at timestamptz)
language plpgsql volatile security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  t public.tenant_databases;
begin
  perform private.validate_entry_point(p_entry_point, p_request_id);
  perform private.require_org_role(p_organization_id, array['owner', 'admin'], 'request a health check');
  t := private.lock_live_tenant_of_org(p_organization_id);
  if t.status not in ('active', 'suspended') then
    raise exception 'The tenant database is %: health checks run once it is active.', t.status using errcode = 'PT409';
  end if;
  if t.health_check_requested_at is null then
    update public.tenant_databases d set health_check_requested_at = now() where d.id = t.id returning d.* into t;
    perform private.audit('tenant.health_check_requested', t.organization_id, t.id, p_entry_point, p_request_id, '{}'::jsonb);
  end if;  -- already requested: the checker has not run yet, nothing to add
  return query select t.id, t.health_check_requested_at;
end
$$;
comment on function public.request_tenant_health_check(uuid, text, text) is 'Owners/admins (or service_role) ask for an immediate health check of the active tenant: sets health_check_requested_at (idempotent until the checker records a result). Callable by authenticated and service_role.';
revoke all on function public.request_tenant_health_check(uuid, text, text) from public, anon, authenticated;
grant execute on function public.request_tenant_health_check(uuid, text, text) to authenticated, service_role;

create function public.prune_tenant_health_checks(p_older_than interval default interval '30 days') returns bigint
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_count bigint;
begin
  if p_older_than is null or p_older_than < interval '1 day' then
    raise exception 'keep at least one day of health checks.' using errcode = 'PT400', hint = 'field: older_than';
  end if;
  with gone as (delete from public.tenant_health_checks h where h.checked_at < now() - p_older_than returning 1)
  select count(*) into v_count from gone;
  return v_count;
end
$$;
comment on function public.prune_tenant_health_checks(interval) is 'Retention: deletes health checks older than p_older_than (default 30 days, at least 1 day). service_role only (e.g. from pg_cron).';
revoke all on function public.prune_tenant_health_checks(interval) from public, anon, authenticated;
grant execute on function public.prune_tenant_health_checks(interval) to service_role;
