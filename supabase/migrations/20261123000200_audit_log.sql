-- Central registry, part 2: the audit log. Who read which secret or changed which tenant, when,
-- and through which entry point. Append-only; owners/admins read their organization's rows.

-- ---------------------------------------------------------------------------------------------
-- Redaction: error messages and details written by workers must never carry a password.

create function private.redact(p_text text) returns text
language sql immutable
set search_path = ''
as $$
  select regexp_replace(
    regexp_replace(p_text, '(postgres(?:ql)?://[^:/?#@[:space:]"]+:)[^@[:space:]"]+@', '\1***@', 'gi'),
    '((?:password|passwd|pwd)[[:space:]]*[=:][[:space:]]*)[^[:space:]&",;]+', '\1***', 'gi')
$$;
comment on function private.redact(text) is 'Removes passwords from connection strings and password=… pairs (same rules as log.ts redact()).';
revoke all on function private.redact(text) from public;

create function private.redact_jsonb(p_value jsonb) returns jsonb
language sql immutable
set search_path = ''
as $$ select private.redact(coalesce(p_value, '{}'::jsonb)::text)::jsonb $$;
comment on function private.redact_jsonb(jsonb) is 'private.redact() over a jsonb document (the patterns never cross a JSON string boundary).';
revoke all on function private.redact_jsonb(jsonb) from public;

-- ---------------------------------------------------------------------------------------------
-- audit_log

create table public.audit_log (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  actor_role text not null,
  actor_user_id uuid,
  actor text generated always as (coalesce(actor_user_id::text, actor_role)) stored,
  action text not null,
  organization_id uuid,
  tenant_id uuid,
  entry_point text not null,
  request_id text,
  details jsonb not null default '{}'::jsonb,
  constraint audit_log_actor_role check (actor_role in ('authenticated', 'service_role', 'anon', 'system')),
  constraint audit_log_user_actor check (actor_role <> 'authenticated' or actor_user_id is not null),
  constraint audit_log_action_format check (action ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'),
  constraint audit_log_entry_point_format check (entry_point ~ '^[a-z0-9][a-z0-9_.:-]{0,63}$'),
  constraint audit_log_request_id_format check (request_id ~ '^[A-Za-z0-9_.-]{1,128}$'),
  constraint audit_log_details_object check (jsonb_typeof(details) = 'object')
);
comment on table public.audit_log is 'Append-only audit trail: secret reads (connection.read), denied reads (connection.read_denied), tenant changes (tenant.*), organization changes (organization.*). No foreign keys, so it outlives what it describes. Never holds secrets.';
comment on column public.audit_log.actor is 'Who: the user id, or service_role / system (no request claims, e.g. an operator in psql).';
comment on column public.audit_log.action is 'What, dotted: connection.read, connection.read_denied, credentials.stored, credentials.rotated, credentials.deleted, tenant.provision_requested, tenant.retry_requested, tenant.deprovision_requested, tenant.status_changed, tenant.health_check_requested, organization.created, organization.deleted, …';
comment on column public.audit_log.entry_point is 'Through which entry point: the edge function or component that called, e.g. decrypt-connection-string, graphql-v2, provisioning-engine, sql.';
comment on column public.audit_log.request_id is 'The x-request-id of the HTTP request, when there was one.';

create index audit_log_org_time_idx on public.audit_log (organization_id, occurred_at desc);
create index audit_log_tenant_time_idx on public.audit_log (tenant_id, occurred_at desc) where tenant_id is not null;
create index audit_log_actor_time_idx on public.audit_log (actor_user_id, occurred_at desc) where actor_user_id is not null;

create function private.append_only() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception '%.% is append-only.', tg_table_schema, tg_table_name using errcode = 'PT403';
end
$$;
comment on function private.append_only() is 'Trigger: refuses UPDATE, DELETE and TRUNCATE on append-only tables (audit_log, provisioning_events), whoever asks. Retention would need a migration that says so.';
revoke all on function private.append_only() from public;

create trigger audit_log_no_update_delete
  before update or delete on public.audit_log
  for each row execute function private.append_only();
create trigger audit_log_no_truncate
  before truncate on public.audit_log
  for each statement execute function private.append_only();

alter table public.audit_log enable row level security;

grant select on table public.audit_log to authenticated, service_role;
revoke all on sequence public.audit_log_id_seq from anon, authenticated, service_role;

create policy audit_log_select_owner_admin on public.audit_log
  for select to authenticated
  using (organization_id in (select public.org_ids_with_role(array['owner', 'admin'])));
comment on policy audit_log_select_owner_admin on public.audit_log is 'Owners and admins read their organization''s audit rows; members and outsiders see none.';

-- ---------------------------------------------------------------------------------------------
-- Writing: only from SECURITY DEFINER registry functions (owner postgres) through private.audit,
-- or from service code through public.record_audit_event.

create function private.validate_entry_point(p_entry_point text, p_request_id text) returns void
language plpgsql immutable
set search_path = ''
as $$
begin
  if p_entry_point is null or p_entry_point !~ '^[a-z0-9][a-z0-9_.:-]{0,63}$' then
    raise exception 'entry point must be 1–64 characters of a-z, 0-9, _ . : - (e.g. decrypt-connection-string).'
      using errcode = 'PT400', hint = 'field: entry_point';
  end if;
  if p_request_id is not null and p_request_id !~ '^[A-Za-z0-9_.-]{1,128}$' then
    raise exception 'request id must be 1–128 characters of A-Z, a-z, 0-9, _ . -.' using errcode = 'PT400', hint = 'field: request_id';
  end if;
end
$$;
comment on function private.validate_entry_point(text, text) is 'PT400 unless the entry point and request id have the audit_log formats.';
revoke all on function private.validate_entry_point(text, text) from public;

create function private.audit(
  p_action text,
  p_organization_id uuid,
  p_tenant_id uuid,
  p_entry_point text,
  p_request_id text,
  p_details jsonb default '{}'::jsonb,
  p_on_behalf_of_user_id uuid default null
) returns bigint
language plpgsql volatile
set search_path = ''
as $$
declare
  v_role text := coalesce(nullif(auth.role(), ''), 'system');
  v_user uuid := case when auth.role() = 'authenticated' then auth.uid() end;
  v_id bigint;
begin
  perform private.validate_entry_point(p_entry_point, p_request_id);
  if v_role not in ('authenticated', 'service_role', 'anon') then
    v_role := 'system';
  end if;
  if p_on_behalf_of_user_id is not null then
    -- Service code recording what a user tried (e.g. a refused request whose own transaction rolled back).
    p_details := coalesce(p_details, '{}'::jsonb) || jsonb_build_object('recorded_by', v_role);
    v_role := 'authenticated';
    v_user := p_on_behalf_of_user_id;
  end if;
  insert into public.audit_log (actor_role, actor_user_id, action, organization_id, tenant_id, entry_point, request_id, details)
  values (v_role, v_user, p_action, p_organization_id, p_tenant_id, p_entry_point, p_request_id, private.redact_jsonb(p_details))
  returning id into v_id;
  return v_id;
end
$$;
comment on function private.audit(text, uuid, uuid, text, text, jsonb, uuid) is 'Appends one audit row for the current caller (from the request claims), or for p_on_behalf_of_user_id when service code records a user''s action. Internal: called by SECURITY DEFINER registry functions.';
revoke all on function private.audit(text, uuid, uuid, text, text, jsonb, uuid) from public;

create function public.record_audit_event(
  p_action text,
  p_organization_id uuid,
  p_tenant_id uuid,
  p_entry_point text,
  p_request_id text default null,
  p_details jsonb default '{}'::jsonb,
  p_on_behalf_of_user_id uuid default null
) returns bigint
language plpgsql volatile security definer
set search_path = ''
as $$
begin
  if not private.is_service_role() then
    raise exception 'Only the service role records audit events.' using errcode = 'PT403';
  end if;
  if p_action is null or p_action !~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$' then
    raise exception 'action must be dotted lower-case words, e.g. tenant.exported.' using errcode = 'PT400', hint = 'field: action';
  end if;
  if p_details is not null and jsonb_typeof(p_details) <> 'object' then
    raise exception 'details must be a JSON object.' using errcode = 'PT400', hint = 'field: details';
  end if;
  return private.audit(p_action, p_organization_id, p_tenant_id, p_entry_point, p_request_id, coalesce(p_details, '{}'::jsonb), p_on_behalf_of_user_id);
end
$$;
comment on function public.record_audit_event(text, uuid, uuid, text, text, jsonb, uuid) is 'Service code appends an audit row (e.g. connection.read_denied from decrypt-connection-string, or actions of graphql-v2); with p_on_behalf_of_user_id the row names that user as the actor (details.recorded_by = service_role). service_role only. Never pass secrets in details (they are redacted anyway).';
revoke all on function public.record_audit_event(text, uuid, uuid, text, text, jsonb, uuid) from public, anon, authenticated;
grant execute on function public.record_audit_event(text, uuid, uuid, text, text, jsonb, uuid) to service_role;
