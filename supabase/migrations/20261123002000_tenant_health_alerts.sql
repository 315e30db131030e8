-- Health checker, part 1: per-tenant checker state, alert events (one per status transition, no
-- repeats while the status holds), the sweep's continuation cursor and lease, and the one
-- function that stores a result and decides about an alert in the same transaction.

-- ---------------------------------------------------------------------------------------------
-- Per-tenant checker state (service only)

create table public.tenant_health_state (
  tenant_id uuid primary key references public.tenant_databases (id) on delete restrict,
  organization_id uuid not null,
  last_sql_probe_at timestamptz,
  last_sql_probe_status text,
  alert_level text not null default 'ok',
  alert_level_since timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tenant_health_state_probe_status check (last_sql_probe_status in ('healthy', 'degraded')),
  constraint tenant_health_state_alert_level check (alert_level in ('ok', 'degraded', 'unhealthy'))
);
comment on table public.tenant_health_state is 'What the health checker remembers per tenant: its last successful SQL probe (a compute probed recently is not probed again before HEALTH_SQL_PROBE_INTERVAL_SECONDS, so health checks never keep a compute from scaling to zero) and the alert level last announced (alerts fire on level changes only). service_role only.';
comment on column public.tenant_health_state.alert_level is 'ok | degraded | unhealthy: the level of the last alert event. idle results keep the level (a scaled-to-zero compute says nothing new).';

alter table public.tenant_health_state enable row level security;
grant select on table public.tenant_health_state to service_role;

-- ---------------------------------------------------------------------------------------------
-- Alert events

create table public.tenant_health_alerts (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenant_databases (id) on delete restrict,
  organization_id uuid not null,
  created_at timestamptz not null default now(),
  kind text not null,
  from_level text not null,
  to_status text not null,
  health_check_id bigint,
  error_code text,
  error_message text,
  delivery_state text not null default 'pending',
  delivery_attempts integer not null default 0,
  delivered_at timestamptz,
  last_delivery_error text,
  constraint tenant_health_alerts_kind check (kind in ('degraded', 'unhealthy', 'recovered')),
  constraint tenant_health_alerts_from_level check (from_level in ('ok', 'degraded', 'unhealthy')),
  constraint tenant_health_alerts_to_status check (to_status in ('healthy', 'degraded', 'unhealthy')),
  constraint tenant_health_alerts_delivery_state check (delivery_state in ('pending', 'delivered', 'failed', 'not_configured')),
  constraint tenant_health_alerts_attempts check (delivery_attempts >= 0),
  constraint tenant_health_alerts_error_length check (char_length(error_message) <= 2000 and char_length(last_delivery_error) <= 500)
);
comment on table public.tenant_health_alerts is 'One row per change of a tenant''s alert level (ok → degraded/unhealthy, or back: recovered); never repeated while the level holds. Written by record_health_result; the checker posts pending rows to HEALTH_ALERT_WEBHOOK_URL and records the delivery. Members read their organization''s alerts.';

create index tenant_health_alerts_tenant_time_idx on public.tenant_health_alerts (tenant_id, created_at desc);
create index tenant_health_alerts_pending_idx on public.tenant_health_alerts (created_at) where delivery_state = 'pending';

alter table public.tenant_health_alerts enable row level security;
grant select on table public.tenant_health_alerts to authenticated, service_role;
revoke all on sequence public.tenant_health_alerts_id_seq from anon, authenticated, service_role;
create policy tenant_health_alerts_select_member on public.tenant_health_alerts
  for select to authenticated
  using (organization_id in (select public.org_ids_with_role()));
comment on policy tenant_health_alerts_select_member on public.tenant_health_alerts is 'Members read their organization''s health alerts.';

-- ---------------------------------------------------------------------------------------------
-- Sweep cursor and lease (one row)

create table public.tenant_health_sweep (
  id boolean primary key default true,
  cursor_tenant_id uuid,
  pass_started_at timestamptz,
  last_pass_finished_at timestamptz,
  last_maintenance_at timestamptz,
  lease_owner text,
  lease_expires_at timestamptz,
  constraint tenant_health_sweep_singleton check (id)
);
comment on table public.tenant_health_sweep is 'The scheduled sweep''s continuation: a pass over all active tenants may span several invocations (each stops at its time budget and stores the last tenant id checked). The lease keeps two invocations from sweeping at once. service_role only.';
insert into public.tenant_health_sweep (id) values (true);
alter table public.tenant_health_sweep enable row level security;
grant select on table public.tenant_health_sweep to service_role;

create function public.claim_health_sweep(p_owner text, p_lease_seconds integer default 60)
returns table (claimed boolean, cursor_tenant_id uuid)
language plpgsql volatile security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  s public.tenant_health_sweep;
begin
  if p_owner is null or p_owner !~ '^[A-Za-z0-9_.:@/-]{1,100}$' or p_lease_seconds not between 5 and 900 then
    raise exception 'lease owner must be 1–100 characters of A-Z a-z 0-9 _ . : @ / - and the lease 5–900 s.' using errcode = 'PT400';
  end if;
  select * into s from public.tenant_health_sweep where id for update;
  if s.lease_owner is not null and s.lease_owner <> p_owner and s.lease_expires_at > now() then
    return query select false, s.cursor_tenant_id;
    return;
  end if;
  update public.tenant_health_sweep
  set lease_owner = p_owner, lease_expires_at = now() + make_interval(secs => p_lease_seconds),
      pass_started_at = case when s.cursor_tenant_id is null then now() else s.pass_started_at end
  where id;
  return query select true, s.cursor_tenant_id;
end
$$;
comment on function public.claim_health_sweep(text, integer) is 'Takes the sweep lease (false while another invocation holds an unexpired one) and returns where the current pass stopped (null: start a new pass). service_role only.';
revoke all on function public.claim_health_sweep(text, integer) from public, anon, authenticated;
grant execute on function public.claim_health_sweep(text, integer) to service_role;

create function public.release_health_sweep(p_owner text, p_cursor uuid, p_pass_finished boolean)
returns void
language plpgsql volatile security definer
set search_path = ''
as $$
begin
  update public.tenant_health_sweep
  set cursor_tenant_id = case when p_pass_finished then null else p_cursor end,
      last_pass_finished_at = case when p_pass_finished then now() else last_pass_finished_at end,
      lease_owner = null, lease_expires_at = null
  where id and lease_owner = p_owner;
end
$$;
comment on function public.release_health_sweep(text, uuid, boolean) is 'Stores the continuation cursor (or ends the pass) and releases the lease, if p_owner still holds it. service_role only.';
revoke all on function public.release_health_sweep(text, uuid, boolean) from public, anon, authenticated;
grant execute on function public.release_health_sweep(text, uuid, boolean) to service_role;

-- ---------------------------------------------------------------------------------------------
-- Store a result, update the checker state, decide about an alert

create function public.record_health_result(
  p_tenant_id uuid,
  p_status text,
  p_latency_ms integer,
  p_checks jsonb,
  p_error_code text,
  p_error_message text,
  p_source text,
  p_sql_probed boolean,
  p_webhook_configured boolean
) returns table (check_id bigint, alert_id bigint, alert_kind text)
language plpgsql volatile security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_check bigint;
  v_state public.tenant_health_state;
  v_org uuid;
  v_level text;
  v_alert bigint;
  v_kind text;
begin
  -- record_health_check validates, locks the tenant row and stores the (redacted) result.
  v_check := public.record_health_check(p_tenant_id, p_status, p_latency_ms, p_checks, p_error_code, p_error_message, p_source);
  select d.organization_id into v_org from public.tenant_databases d where d.id = p_tenant_id;

  insert into public.tenant_health_state (tenant_id, organization_id) values (p_tenant_id, v_org)
  on conflict (tenant_id) do nothing;
  select * into v_state from public.tenant_health_state s where s.tenant_id = p_tenant_id for update;

  v_level := case p_status when 'healthy' then 'ok' when 'degraded' then 'degraded' when 'unhealthy' then 'unhealthy'
                           else v_state.alert_level end;  -- idle: no new information
  if v_level <> v_state.alert_level then
    v_kind := case v_level when 'ok' then 'recovered' else v_level end;
    insert into public.tenant_health_alerts (tenant_id, organization_id, kind, from_level, to_status, health_check_id, error_code, error_message, delivery_state)
    values (p_tenant_id, v_org, v_kind, v_state.alert_level, p_status, v_check, p_error_code, left(private.redact(p_error_message), 2000),
            case when p_webhook_configured then 'pending' else 'not_configured' end)
    returning id into v_alert;
  end if;

  update public.tenant_health_state s
  set last_sql_probe_at = case when p_sql_probed and p_status in ('healthy', 'degraded') then now()
                               when p_sql_probed then null else s.last_sql_probe_at end,
      last_sql_probe_status = case when p_sql_probed and p_status in ('healthy', 'degraded') then p_status
                                   when p_sql_probed then null else s.last_sql_probe_status end,
      alert_level = v_level,
      alert_level_since = case when v_level <> s.alert_level then now() else s.alert_level_since end,
      updated_at = now()
  where s.tenant_id = p_tenant_id;

  return query select v_check, v_alert, v_kind;
end
$$;
comment on function public.record_health_result(uuid, text, integer, jsonb, text, text, text, boolean, boolean) is 'The health checker stores one result (record_health_check), remembers a successful SQL probe, and appends one tenant_health_alerts row when the alert level (ok/degraded/unhealthy; idle keeps it) changes. Returns the check id and the alert id/kind, if any. service_role only.';
revoke all on function public.record_health_result(uuid, text, integer, jsonb, text, text, text, boolean, boolean) from public, anon, authenticated;
grant execute on function public.record_health_result(uuid, text, integer, jsonb, text, text, text, boolean, boolean) to service_role;

create function public.record_health_alert_delivery(p_alert_id bigint, p_delivered boolean, p_attempts integer, p_error text default null)
returns void
language plpgsql volatile security definer
set search_path = ''
as $$
begin
  update public.tenant_health_alerts a
  set delivery_state = case when p_delivered then 'delivered' else 'failed' end,
      delivery_attempts = a.delivery_attempts + greatest(p_attempts, 0),
      delivered_at = case when p_delivered then now() else null end,
      last_delivery_error = left(private.redact(p_error), 500)
  where a.id = p_alert_id;
end
$$;
comment on function public.record_health_alert_delivery(bigint, boolean, integer, text) is 'Records the outcome of posting an alert to the webhook. service_role only.';
revoke all on function public.record_health_alert_delivery(bigint, boolean, integer, text) from public, anon, authenticated;
grant execute on function public.record_health_alert_delivery(bigint, boolean, integer, text) to service_role;
