-- Central registry, part 4: provisioning_events, the append-only progress log of every tenant
-- (what the UI streams while a tenant is provisioned, and what an operator reads afterwards).

create table public.provisioning_events (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenant_databases (id) on delete restrict,
  organization_id uuid not null,
  occurred_at timestamptz not null default now(),
  event text not null,
  step text,
  step_state text,
  attempt integer,
  from_status text,
  to_status text,
  worker_id text,
  error_code text,
  error_message text,
  details jsonb not null default '{}'::jsonb,
  constraint provisioning_events_event check (event in (
    'requested', 'claimed', 'lease_taken_over', 'lease_released', 'step', 'status_changed',
    'retry_requested', 'deprovision_requested', 'credentials_stored', 'credentials_rotated',
    'credentials_deleted', 'resources_updated')),
  constraint provisioning_events_step check (step in ('claim', 'create_database', 'wait_for_operations', 'store_credentials', 'apply_migrations', 'seed_data', 'verify_endpoint', 'first_health_check', 'activate')),
  constraint provisioning_events_step_state check (step_state in ('pending', 'running', 'succeeded', 'failed', 'skipped')),
  constraint provisioning_events_step_shape check ((event = 'step') = (step is not null and step_state is not null)),
  constraint provisioning_events_statuses check (
    from_status in ('pending', 'provisioning', 'active', 'failed', 'deprovisioning', 'deleted', 'suspended')
    and to_status in ('pending', 'provisioning', 'active', 'failed', 'deprovisioning', 'deleted', 'suspended')),
  constraint provisioning_events_error_code_format check (error_code ~ '^[A-Za-z0-9_.:-]{1,100}$'),
  constraint provisioning_events_error_message_length check (char_length(error_message) <= 2000),
  constraint provisioning_events_details_object check (jsonb_typeof(details) = 'object')
);
comment on table public.provisioning_events is 'Append-only progress log per tenant: requests, claims and lease take-overs, every step state change (with attempt and error), status changes, credential stores. Members of the organization read it. Error messages are redacted (no passwords) and capped at 2000 characters.';
comment on column public.provisioning_events.organization_id is 'Copied from the tenant so policies need no join.';
comment on column public.provisioning_events.worker_id is 'The provisioning worker that acted (lease owner), if any.';

create index provisioning_events_tenant_idx on public.provisioning_events (tenant_id, id);
create index provisioning_events_org_time_idx on public.provisioning_events (organization_id, occurred_at desc);

create trigger provisioning_events_no_update_delete
  before update or delete on public.provisioning_events
  for each row execute function private.append_only();
create trigger provisioning_events_no_truncate
  before truncate on public.provisioning_events
  for each statement execute function private.append_only();

alter table public.provisioning_events enable row level security;
grant select on table public.provisioning_events to authenticated, service_role;
revoke all on sequence public.provisioning_events_id_seq from anon, authenticated, service_role;

create policy provisioning_events_select_member on public.provisioning_events
  for select to authenticated
  using (organization_id in (select public.org_ids_with_role()));
comment on policy provisioning_events_select_member on public.provisioning_events is 'Members read their organization''s provisioning progress.';

create function private.provisioning_event(
  p_tenant public.tenant_databases,
  p_event text,
  p_details jsonb default '{}'::jsonb,
  p_worker_id text default null,
  p_step text default null,
  p_step_state text default null,
  p_attempt integer default null,
  p_from_status text default null,
  p_to_status text default null,
  p_error_code text default null,
  p_error_message text default null
) returns bigint
language plpgsql volatile
set search_path = ''
as $$
declare
  v_id bigint;
begin
  insert into public.provisioning_events (tenant_id, organization_id, event, step, step_state, attempt, from_status, to_status,
                                          worker_id, error_code, error_message, details)
  values (p_tenant.id, p_tenant.organization_id, p_event, p_step, p_step_state, p_attempt, p_from_status, p_to_status,
          p_worker_id, p_error_code, left(private.redact(p_error_message), 2000), private.redact_jsonb(p_details))
  returning id into v_id;
  return v_id;
end
$$;
comment on function private.provisioning_event(public.tenant_databases, text, jsonb, text, text, text, integer, text, text, text, text) is 'Appends one provisioning event for a tenant (redacting the error message and details). Internal.';
revoke all on function private.provisioning_event(public.tenant_databases, text, jsonb, text, text, text, integer, text, text, text, text) from public;
