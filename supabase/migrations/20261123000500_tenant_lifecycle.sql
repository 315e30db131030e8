-- Central registry, part 5: the tenant lifecycle functions. Every state change locks the tenant
-- row (SELECT … FOR UPDATE), so two workers never move one tenant at once; provisioning work is
-- additionally guarded by a lease (claim_tenant_for_provisioning) that another worker may take
-- over only after it expires.
--
-- Who may call what (all SECURITY DEFINER, owned by postgres, search_path ''):
--   owners/admins (or service_role): request_tenant_provisioning, retry_tenant_provisioning
--   owners (or service_role):        request_tenant_deprovisioning, delete_organization
--   service_role only (EXECUTE):     claim_tenant_for_provisioning, claim_next_tenant, release_tenant_lease,
--                                    record_provisioning_step, transition_tenant_status, update_tenant_resources
-- Service-only functions rely on EXECUTE grants (postgres, the owner, may call them too, e.g. from
-- psql; such calls are audited as actor `system`). Mixed functions decide from the request claims.

-- ---------------------------------------------------------------------------------------------
-- Internal helpers

create function private.require_org_role(p_organization_id uuid, p_roles text[], p_action text) returns void
language plpgsql stable
set search_path = ''
as $$
begin
  if private.is_service_role() then
    return;
  end if;
  if auth.uid() is null then
    raise exception 'Sign in first: % needs a user access token.', p_action using errcode = 'PT401';
  end if;
  if not public.has_org_role(p_organization_id, p_roles) then
    raise exception 'Only % of this organization can %.', array_to_string(p_roles, ' and ') || 's', p_action
      using errcode = 'PT403', hint = 'required roles: ' || array_to_string(p_roles, ', ');
  end if;
end
$$;
comment on function private.require_org_role(uuid, text[], text) is 'PT401/PT403 unless the caller is service_role or has one of p_roles in the organization.';
revoke all on function private.require_org_role(uuid, text[], text) from public;

create function private.lock_tenant(p_tenant uuid) returns public.tenant_databases
language plpgsql volatile
set search_path = ''
as $$
declare
  t public.tenant_databases;
begin
  select * into t from public.tenant_databases d where d.id = p_tenant for update;
  if not found then
    raise exception 'Tenant database % does not exist.', p_tenant using errcode = 'PT404';
  end if;
  return t;
end
$$;
comment on function private.lock_tenant(uuid) is 'Row-locks a tenant (FOR UPDATE) or raises PT404.';
revoke all on function private.lock_tenant(uuid) from public;

create function private.lock_live_tenant_of_org(p_organization_id uuid) returns public.tenant_databases
language plpgsql volatile
set search_path = ''
as $$
declare
  t public.tenant_databases;
begin
  select * into t from public.tenant_databases d
  where d.organization_id = p_organization_id and d.status <> 'deleted'
  for update;
  if not found then
    raise exception 'This organization has no tenant database. Request provisioning first.' using errcode = 'PT404';
  end if;
  return t;
end
$$;
comment on function private.lock_live_tenant_of_org(uuid) is 'Row-locks the organization''s tenant that is not deleted, or raises PT404.';
revoke all on function private.lock_live_tenant_of_org(uuid) from public;

create function private.validate_worker(p_worker_id text, p_lease_seconds integer default 60) returns void
language plpgsql immutable
set search_path = ''
as $$
begin
  if p_worker_id is null or p_worker_id !~ '^[A-Za-z0-9_.:@/-]{1,100}$' then
    raise exception 'worker id must be 1–100 characters of A-Z a-z 0-9 _ . : @ / -.' using errcode = 'PT400', hint = 'field: worker_id';
  end if;
  if p_lease_seconds is null or p_lease_seconds not between 1 and 3600 then
    raise exception 'lease must be 1–3600 seconds.' using errcode = 'PT400', hint = 'field: lease_seconds';
  end if;
end
$$;
comment on function private.validate_worker(text, integer) is 'PT400 unless the worker id and lease length are well-formed.';
revoke all on function private.validate_worker(text, integer) from public;

create function private.assert_lease(t public.tenant_databases, p_worker_id text) returns void
language plpgsql stable
set search_path = ''
as $$
begin
  if p_worker_id is null then
    if t.lease_owner is not null and t.lease_expires_at > now() then
      raise exception 'Tenant % is leased by worker % until %.', t.id, t.lease_owner, t.lease_expires_at
        using errcode = 'PT409', hint = 'Pass the worker id that holds the lease.';
    end if;
  elsif t.lease_owner is distinct from p_worker_id or t.lease_expires_at <= now() then
    raise exception 'Worker % does not hold the lease on tenant % (holder: %, until %). Claim it again.',
      p_worker_id, t.id, coalesce(t.lease_owner, 'none'), coalesce(t.lease_expires_at::text, '-')
      using errcode = 'PT409';
  end if;
end
$$;
comment on function private.assert_lease(public.tenant_databases, text) is 'PT409 unless p_worker_id holds an unexpired lease (or, when p_worker_id is null, nobody does).';
revoke all on function private.assert_lease(public.tenant_databases, text) from public;

create function private.step_entry(p_entry jsonb, p_patch jsonb) returns jsonb
language sql immutable
set search_path = ''
as $$
  select jsonb_build_object('state', 'pending', 'attempts', 0, 'started_at', null, 'finished_at', null, 'error_code', null, 'error_message', null)
    || coalesce(p_entry, '{}'::jsonb) || p_patch
$$;
comment on function private.step_entry(jsonb, jsonb) is 'A provisioning_status entry with p_patch applied over the defaults and the current entry.';
revoke all on function private.step_entry(jsonb, jsonb) from public;

-- Moves a locked tenant to p_to (the caller has checked the current status). Applies the side
-- effects of the target status, appends the event and the audit row.
create function private.set_status(
  t public.tenant_databases,
  p_to text,
  p_reason text,
  p_worker_id text,
  p_entry_point text,
  p_request_id text
) returns public.tenant_databases
language plpgsql volatile
set search_path = ''
as $$
declare
  v_from text := t.status;
  v_steps jsonb := t.provisioning_status;
  v_missing text;
  v_step text;
  v_activate jsonb;
begin
  if p_to = 'active' and v_from = 'provisioning' then
    select string_agg(u.s, ', ' order by u.ord) into v_missing
    from unnest(private.provisioning_steps()) with ordinality as u (s, ord)
    where u.s <> 'activate' and coalesce(v_steps -> u.s ->> 'state', 'pending') not in ('succeeded', 'skipped');
    if v_missing is not null then
      raise exception 'Tenant % cannot become active before these steps succeed: %.', t.id, v_missing using errcode = 'PT409';
    end if;
    v_activate := v_steps -> 'activate';
    v_steps := jsonb_set(v_steps, '{activate}', private.step_entry(v_activate, jsonb_build_object(
      'state', 'succeeded',
      'attempts', coalesce((v_activate ->> 'attempts')::int, 0) + case when v_activate ->> 'state' = 'running' then 0 else 1 end,
      'started_at', case when v_activate ->> 'state' = 'running' then v_activate -> 'started_at' else to_jsonb(now()) end,
      'finished_at', to_jsonb(now()), 'error_code', null, 'error_message', null)));
  elsif p_to = 'pending' then
    -- Retry: every step that did not finish goes back to pending (attempt counts and the last
    -- error stay for the record); succeeded steps are kept so the engine resumes after them.
    foreach v_step in array private.provisioning_steps() loop
      if v_step = 'claim' or coalesce(v_steps -> v_step ->> 'state', 'pending') in ('running', 'failed') then
        v_steps := jsonb_set(v_steps, array[v_step], private.step_entry(v_steps -> v_step,
          jsonb_build_object('state', 'pending', 'started_at', null, 'finished_at', null)));
      end if;
    end loop;
  elsif p_to = 'deleted' then
    -- Defined in 20261123000600_tenant_credentials.sql.
    perform private.delete_tenant_secrets(t, p_entry_point, p_request_id);
  end if;

  update public.tenant_databases d
  set status = p_to,
      status_reason = left(private.redact(p_reason), 1000),
      provisioning_status = v_steps,
      current_step = case when p_to = 'pending' then null when p_to = 'active' then 'activate' else d.current_step end,
      lease_owner = case when p_to in ('provisioning', 'deprovisioning') then d.lease_owner end,
      lease_expires_at = case when p_to in ('provisioning', 'deprovisioning') then d.lease_expires_at end,
      activated_at = case when p_to = 'active' then coalesce(d.activated_at, now()) else d.activated_at end,
      deleted_at = case when p_to = 'deleted' then now() else d.deleted_at end
  where d.id = t.id
  returning d.* into t;

  perform private.provisioning_event(t, 'status_changed', jsonb_build_object('reason', left(private.redact(p_reason), 1000)),
    p_worker_id, p_from_status => v_from, p_to_status => p_to);
  perform private.audit('tenant.status_changed', t.organization_id, t.id, p_entry_point, p_request_id,
    jsonb_build_object('from', v_from, 'to', p_to, 'reason', left(p_reason, 1000), 'worker_id', p_worker_id));
  return t;
end
$$;
comment on function private.set_status(public.tenant_databases, text, text, text, text, text) is 'Moves a locked tenant to a new status (the guard trigger checks the move), applying its side effects: active marks the activate step, pending resets unfinished steps, deleted removes the Vault secrets; leases end outside provisioning/deprovisioning.';
revoke all on function private.set_status(public.tenant_databases, text, text, text, text, text) from public;

create function private.default_compute_size(p_plan text) returns text
language sql immutable
set search_path = ''
as $$
  select case p_plan when 'free' then 'xs' when 'starter' then 's' when 'professional' then 'm' when 'enterprise' then 'l' end
$$;
comment on function private.default_compute_size(text) is 'Compute size used when a provisioning request names none: free xs, starter s, professional m, enterprise l.';
revoke all on function private.default_compute_size(text) from public;

-- ---------------------------------------------------------------------------------------------
-- Owner/admin entry points

create function public.request_tenant_provisioning(
  p_organization_id uuid,
  p_region text,
  p_plan text default null,
  p_compute_size text default null,
  p_strategy text default 'project',
  p_idempotency_key text default null,
  p_entry_point text default 'sql',
  p_request_id text default null
) returns table (tenant_id uuid, status text, created boolean)
language plpgsql volatile security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  t public.tenant_databases;
  v_org public.organizations;
  v_plan text;
  v_size text;
begin
  perform private.validate_entry_point(p_entry_point, p_request_id);
  perform private.require_org_role(p_organization_id, array['owner', 'admin'], 'request provisioning');

  if p_region is null or p_region !~ '^[a-z0-9][a-z0-9-]{1,62}$' then
    raise exception 'region must be a Neon region id such as aws-eu-central-1.' using errcode = 'PT400', hint = 'field: region';
  end if;
  if p_plan is not null and p_plan not in ('free', 'starter', 'professional', 'enterprise') then
    raise exception 'plan must be one of free, starter, professional, enterprise.' using errcode = 'PT400', hint = 'field: plan';
  end if;
  if p_compute_size is not null and p_compute_size not in ('xs', 's', 'm', 'l', 'xl') then
    raise exception 'compute size must be one of xs, s, m, l, xl.' using errcode = 'PT400', hint = 'field: compute_size';
  end if;
  if p_strategy is null or p_strategy not in ('project', 'branch') then
    raise exception 'strategy must be project or branch.' using errcode = 'PT400', hint = 'field: strategy';
  end if;
  if p_idempotency_key is not null and char_length(p_idempotency_key) not between 1 and 200 then
    raise exception 'idempotency key must be 1–200 characters.' using errcode = 'PT400', hint = 'field: idempotency_key';
  end if;

  -- Serialises concurrent requests for one organization.
  select * into v_org from public.organizations o where o.id = p_organization_id for no key update;
  if not found or v_org.deleted_at is not null then
    raise exception 'Organization % does not exist.', p_organization_id using errcode = 'PT404';
  end if;
  v_plan := coalesce(p_plan, v_org.plan);
  if v_plan <> v_org.plan and not private.is_service_role() then
    raise exception 'This organization is on the % plan: provision on that plan, or change the plan first.', v_org.plan
      using errcode = 'PT403', hint = 'field: plan';
  end if;
  v_size := coalesce(p_compute_size, private.default_compute_size(v_plan));

  select * into t from public.tenant_databases d
  where d.organization_id = p_organization_id and d.status <> 'deleted';
  if found then
    if (p_idempotency_key is not null and t.idempotency_key = p_idempotency_key)
       or (t.region = p_region and t.plan = v_plan and t.compute_size = v_size and t.strategy = p_strategy) then
      return query select t.id, t.status, false;
      return;
    end if;
    raise exception 'This organization already has a tenant database (%, %, %, status %). Deprovision it before requesting a different one.',
      t.region, t.plan, t.compute_size, t.status using errcode = 'PT409';
  end if;

  if p_idempotency_key is not null then
    -- A replay of a request whose tenant has since been deleted must not create a new one.
    select * into t from public.tenant_databases d
    where d.organization_id = p_organization_id and d.idempotency_key = p_idempotency_key;
    if found then
      return query select t.id, t.status, false;
      return;
    end if;
  end if;

  insert into public.tenant_databases (organization_id, strategy, region, plan, compute_size, idempotency_key, requested_by)
  values (p_organization_id, p_strategy, p_region, v_plan, v_size, p_idempotency_key,
          case when private.is_service_role() then null else auth.uid() end)
  returning * into t;

  perform private.provisioning_event(t, 'requested', jsonb_build_object(
    'region', p_region, 'plan', v_plan, 'compute_size', v_size, 'strategy', p_strategy));
  perform private.audit('tenant.provision_requested', t.organization_id, t.id, p_entry_point, p_request_id,
    jsonb_build_object('region', p_region, 'plan', v_plan, 'compute_size', v_size, 'strategy', p_strategy));
  return query select t.id, t.status, true;
end
$$;
comment on function public.request_tenant_provisioning(uuid, text, text, text, text, text, text, text) is 'Owners/admins (or service_role) ask for the organization''s tenant database: inserts a pending tenant for the provisioning engine. Plan defaults to the organization''s plan (users may not pick another: PT403), compute size to the plan''s default (free xs, starter s, professional m, enterprise l). Idempotent: the same idempotency key, or the same parameters while a tenant exists, return the existing tenant (created = false); different parameters give PT409. Callable by authenticated and service_role.';
revoke all on function public.request_tenant_provisioning(uuid, text, text, text, text, text, text, text) from public, anon, authenticated;
grant execute on function public.request_tenant_provisioning(uuid, text, text, text, text, text, text, text) to authenticated, service_role;

create function public.retry_tenant_provisioning(
  p_organization_id uuid,
  p_from_step text default null,
  p_entry_point text default 'sql',
  p_request_id text default null
) returns table (tenant_id uuid, status text, retried boolean)
language plpgsql volatile security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  t public.tenant_databases;
  v_steps text[] := private.provisioning_steps();
  v_from integer;
  v_status jsonb;
  v_step text;
begin
  perform private.validate_entry_point(p_entry_point, p_request_id);
  perform private.require_org_role(p_organization_id, array['owner', 'admin'], 'retry provisioning');
  if p_from_step is not null and (not (p_from_step = any (v_steps)) or p_from_step in ('claim', 'activate')) then
    raise exception 'A retry can restart from create_database … first_health_check.' using errcode = 'PT400', hint = 'field: step';
  end if;
  t := private.lock_live_tenant_of_org(p_organization_id);
  if t.status in ('pending', 'provisioning') and p_from_step is null then
    return query select t.id, t.status, false;  -- already queued or running: nothing to do
    return;
  end if;
  if t.status <> 'failed' then
    raise exception 'The tenant database is %: only a failed provisioning can be retried.', t.status using errcode = 'PT409';
  end if;
  perform private.provisioning_event(t, 'retry_requested', jsonb_build_object('attempt', t.provisioning_attempt, 'from_step', p_from_step));
  if p_from_step is not null then
    -- Restart from an earlier step: it and every later step run again.
    v_from := array_position(v_steps, p_from_step);
    v_status := t.provisioning_status;
    foreach v_step in array v_steps[v_from:] loop
      v_status := jsonb_set(v_status, array[v_step], private.step_entry(v_status -> v_step,
        jsonb_build_object('state', 'pending', 'started_at', null, 'finished_at', null)));
    end loop;
    update public.tenant_databases d set provisioning_status = v_status where d.id = t.id returning d.* into t;
  end if;
  t := private.set_status(t, 'pending', 'retry requested' || coalesce(' from ' || p_from_step, ''), null, p_entry_point, p_request_id);
  perform private.audit('tenant.retry_requested', t.organization_id, t.id, p_entry_point, p_request_id,
    jsonb_build_object('previous_attempt', t.provisioning_attempt, 'from_step', p_from_step));
  return query select t.id, t.status, true;
end
$$;
comment on function public.retry_tenant_provisioning(uuid, text, text, text) is 'Owners/admins (or service_role) re-queue a failed provisioning (failed → pending): unfinished steps reset, succeeded steps kept, or with p_from_step that step and all later ones run again. retried = false (no-op) while already pending or provisioning; PT409 for other statuses. Callable by authenticated and service_role.';
revoke all on function public.retry_tenant_provisioning(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.retry_tenant_provisioning(uuid, text, text, text) to authenticated, service_role;

create function public.request_tenant_deprovisioning(
  p_organization_id uuid,
  p_reason text default null,
  p_entry_point text default 'sql',
  p_request_id text default null
) returns table (tenant_id uuid, status text)
language plpgsql volatile security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  t public.tenant_databases;
begin
  perform private.validate_entry_point(p_entry_point, p_request_id);
  perform private.require_org_role(p_organization_id, array['owner'], 'delete the tenant database');
  t := private.lock_live_tenant_of_org(p_organization_id);
  if t.status = 'deprovisioning' then
    return query select t.id, t.status;
    return;
  end if;
  if t.status = 'provisioning' then
    raise exception 'The tenant database is being provisioned: wait until it is active or failed, then delete it.' using errcode = 'PT409';
  end if;
  perform private.provisioning_event(t, 'deprovision_requested', jsonb_build_object('reason', left(p_reason, 1000)));
  t := private.set_status(t, 'deprovisioning', coalesce(p_reason, 'deletion requested'), null, p_entry_point, p_request_id);
  perform private.audit('tenant.deprovision_requested', t.organization_id, t.id, p_entry_point, p_request_id,
    jsonb_build_object('reason', left(p_reason, 1000)));
  return query select t.id, t.status;
end
$$;
comment on function public.request_tenant_deprovisioning(uuid, text, text, text) is 'Owners (or service_role) ask for the tenant database to be deleted (→ deprovisioning; the engine removes the Neon resources, then transition_tenant_status(…, ''deleted'') drops the secrets). Callable by authenticated and service_role.';
revoke all on function public.request_tenant_deprovisioning(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.request_tenant_deprovisioning(uuid, text, text, text) to authenticated, service_role;

create function public.delete_organization(
  p_organization_id uuid,
  p_entry_point text default 'sql',
  p_request_id text default null
) returns void
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_org public.organizations;
  v_status text;
begin
  perform private.validate_entry_point(p_entry_point, p_request_id);
  perform private.require_org_role(p_organization_id, array['owner'], 'delete the organization');
  select * into v_org from public.organizations o where o.id = p_organization_id for no key update;
  if not found or v_org.deleted_at is not null then
    raise exception 'Organization % does not exist.', p_organization_id using errcode = 'PT404';
  end if;
  select d.status into v_status from public.tenant_databases d
  where d.organization_id = p_organization_id and d.status <> 'deleted';
  if found then
    raise exception 'The organization still has a tenant database (status %). Deprovision it first.', v_status using errcode = 'PT409';
  end if;
  update public.organizations o set deleted_at = now() where o.id = p_organization_id;
  perform private.audit('organization.deleted', p_organization_id, null, p_entry_point, p_request_id,
    jsonb_build_object('slug', v_org.slug));
end
$$;
comment on function public.delete_organization(uuid, text, text) is 'Owners (or service_role) delete an organization without a live tenant database. Leaves a tombstone: the row stays with deleted_at set, so the slug stays reserved and nobody inherits links or data keyed by it. Callable by authenticated and service_role.';
revoke all on function public.delete_organization(uuid, text, text) from public, anon, authenticated;
grant execute on function public.delete_organization(uuid, text, text) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Provisioning engine (service_role only)

create function public.claim_tenant_for_provisioning(
  p_tenant_id uuid,
  p_worker_id text,
  p_lease_seconds integer default 120
) returns table (
  claimed boolean, tenant_id uuid, organization_id uuid, status text, attempt integer,
  lease_owner text, lease_expires_at timestamptz, taken_over boolean, provisioning_status jsonb
)
language plpgsql volatile security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  t public.tenant_databases;
  v_claimed boolean := false;
  v_taken_over boolean := false;
  v_previous text;
begin
  perform private.validate_worker(p_worker_id, p_lease_seconds);
  t := private.lock_tenant(p_tenant_id);

  if t.status = 'pending' then
    t := private.set_status(t, 'provisioning', 'claimed by ' || p_worker_id, p_worker_id, 'provisioning-engine', null);
    update public.tenant_databases d
    set lease_owner = p_worker_id,
        lease_expires_at = now() + make_interval(secs => p_lease_seconds),
        provisioning_attempt = d.provisioning_attempt + 1,
        current_step = 'claim',
        provisioning_status = jsonb_set(d.provisioning_status, '{claim}', private.step_entry(d.provisioning_status -> 'claim',
          jsonb_build_object('state', 'succeeded', 'attempts', coalesce((d.provisioning_status -> 'claim' ->> 'attempts')::int, 0) + 1,
                             'started_at', now(), 'finished_at', now(), 'error_code', null, 'error_message', null)))
    where d.id = t.id
    returning d.* into t;
    perform private.provisioning_event(t, 'claimed', jsonb_build_object('lease_seconds', p_lease_seconds), p_worker_id,
      p_attempt => t.provisioning_attempt);
    v_claimed := true;
  elsif t.status in ('provisioning', 'deprovisioning') then
    if t.lease_owner = p_worker_id or t.lease_owner is null or t.lease_expires_at <= now() then
      v_previous := t.lease_owner;
      v_taken_over := v_previous is not null and v_previous <> p_worker_id;
      update public.tenant_databases d
      set lease_owner = p_worker_id, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
      where d.id = t.id
      returning d.* into t;
      if v_taken_over then
        perform private.provisioning_event(t, 'lease_taken_over', jsonb_build_object('previous_owner', v_previous, 'lease_seconds', p_lease_seconds),
          p_worker_id, p_attempt => t.provisioning_attempt);
      elsif v_previous is null then
        perform private.provisioning_event(t, 'claimed', jsonb_build_object('lease_seconds', p_lease_seconds), p_worker_id,
          p_attempt => t.provisioning_attempt);
      end if;  -- the holder renewing its lease (heartbeat) is not an event
      v_claimed := true;
    end if;
  end if;

  return query select v_claimed, t.id, t.organization_id, t.status, t.provisioning_attempt,
    t.lease_owner, t.lease_expires_at, v_taken_over, t.provisioning_status;
end
$$;
comment on function public.claim_tenant_for_provisioning(uuid, text, integer) is 'A worker takes (or renews) the lease on a tenant: pending → provisioning (attempt + 1, claim step succeeded); provisioning/deprovisioning with no lease, an expired lease (taken_over = true) or its own lease. claimed = false when another worker holds a live lease or the status needs no work. The row lock serialises racing workers. service_role only.';
revoke all on function public.claim_tenant_for_provisioning(uuid, text, integer) from public, anon, authenticated;
grant execute on function public.claim_tenant_for_provisioning(uuid, text, integer) to service_role;

create function public.claim_next_tenant(
  p_worker_id text,
  p_lease_seconds integer default 120,
  p_work text default 'provision',
  p_region text default null
) returns table (
  claimed boolean, tenant_id uuid, organization_id uuid, status text, attempt integer,
  lease_owner text, lease_expires_at timestamptz, taken_over boolean, provisioning_status jsonb
)
language plpgsql volatile security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_id uuid;
begin
  perform private.validate_worker(p_worker_id, p_lease_seconds);
  if p_work is null or p_work not in ('provision', 'deprovision') then
    raise exception 'work must be provision or deprovision.' using errcode = 'PT400', hint = 'field: work';
  end if;
  select d.id into v_id
  from public.tenant_databases d
  where ((p_work = 'provision' and (d.status = 'pending' or (d.status = 'provisioning' and (d.lease_owner is null or d.lease_expires_at <= now()))))
      or (p_work = 'deprovision' and d.status = 'deprovisioning' and (d.lease_owner is null or d.lease_expires_at <= now())))
    and (p_region is null or d.region = p_region)
  order by d.created_at
  limit 1
  for update skip locked;
  if v_id is null then
    return;
  end if;
  return query select * from public.claim_tenant_for_provisioning(v_id, p_worker_id, p_lease_seconds);
end
$$;
comment on function public.claim_next_tenant(text, integer, text, text) is 'Work queue: claims the oldest tenant needing work (provision: pending, or provisioning without a live lease; deprovision: deprovisioning without a live lease), optionally only in p_region, skipping rows other workers have locked. No row when there is nothing to do. service_role only.';
revoke all on function public.claim_next_tenant(text, integer, text, text) from public, anon, authenticated;
grant execute on function public.claim_next_tenant(text, integer, text, text) to service_role;

create function public.release_tenant_lease(p_tenant_id uuid, p_worker_id text) returns boolean
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  t public.tenant_databases;
begin
  perform private.validate_worker(p_worker_id);
  t := private.lock_tenant(p_tenant_id);
  if t.lease_owner is distinct from p_worker_id then
    return false;
  end if;
  update public.tenant_databases d set lease_owner = null, lease_expires_at = null where d.id = t.id returning d.* into t;
  perform private.provisioning_event(t, 'lease_released', '{}'::jsonb, p_worker_id, p_attempt => t.provisioning_attempt);
  return true;
end
$$;
comment on function public.release_tenant_lease(uuid, text) is 'The lease holder gives the tenant back (e.g. on shutdown) so another worker can continue at once. false when it was not the holder. service_role only.';
revoke all on function public.release_tenant_lease(uuid, text) from public, anon, authenticated;
grant execute on function public.release_tenant_lease(uuid, text) to service_role;

create function public.record_provisioning_step(
  p_tenant_id uuid,
  p_step text,
  p_state text,
  p_error_code text default null,
  p_error_message text default null,
  p_details jsonb default '{}'::jsonb,
  p_worker_id text default null
) returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  t public.tenant_databases;
  v_steps text[] := private.provisioning_steps();
  v_entry jsonb;
  v_previous text;
  v_blockers text;
begin
  if p_step is null or not (p_step = any (v_steps)) then
    raise exception 'Unknown provisioning step %. Steps: %.', coalesce(p_step, 'null'), array_to_string(v_steps, ', ')
      using errcode = 'PT400', hint = 'field: step';
  end if;
  if p_state is null or p_state not in ('running', 'succeeded', 'failed', 'skipped') then
    raise exception 'step state must be running, succeeded, failed or skipped.' using errcode = 'PT400', hint = 'field: state';
  end if;
  if p_state = 'failed' and p_error_code is null then
    raise exception 'A failed step needs an error code.' using errcode = 'PT400', hint = 'field: error_code';
  end if;
  if p_error_code is not null and p_error_code !~ '^[A-Za-z0-9_.:-]{1,100}$' then
    raise exception 'error code must be 1–100 characters of A-Z a-z 0-9 _ . : -.' using errcode = 'PT400', hint = 'field: error_code';
  end if;
  if p_details is not null and jsonb_typeof(p_details) <> 'object' then
    raise exception 'details must be a JSON object.' using errcode = 'PT400', hint = 'field: details';
  end if;
  if p_worker_id is not null then
    perform private.validate_worker(p_worker_id);
  end if;

  t := private.lock_tenant(p_tenant_id);
  if t.status <> 'provisioning' then
    raise exception 'Tenant % is %: steps are recorded only while it is provisioning (claim it first).', t.id, t.status using errcode = 'PT409';
  end if;
  perform private.assert_lease(t, p_worker_id);

  v_entry := private.step_entry(t.provisioning_status -> p_step, '{}'::jsonb);
  v_previous := v_entry ->> 'state';

  if p_state in ('succeeded', 'skipped') and v_previous = p_state then
    return v_entry;  -- repeated report (e.g. a retried call): idempotent
  end if;

  if p_state in ('running', 'skipped') then
    select string_agg(u.s, ', ' order by u.ord) into v_blockers
    from unnest(v_steps) with ordinality as u (s, ord)
    where u.ord < array_position(v_steps, p_step)
      and coalesce(t.provisioning_status -> u.s ->> 'state', 'pending') not in ('succeeded', 'skipped');
    if v_blockers is not null then
      raise exception 'Step % cannot start before: %.', p_step, v_blockers using errcode = 'PT409';
    end if;
  end if;

  if p_state = 'running' then
    if v_previous = 'succeeded' then
      raise exception 'Step % already succeeded.', p_step using errcode = 'PT409';
    end if;
    v_entry := private.step_entry(v_entry, jsonb_build_object(
      'state', 'running', 'attempts', coalesce((v_entry ->> 'attempts')::int, 0) + 1,
      'started_at', now(), 'finished_at', null, 'error_code', null, 'error_message', null));
  elsif p_state in ('succeeded', 'failed') then
    if v_previous <> 'running' then
      raise exception 'Step % is %, not running: record it as running first.', p_step, v_previous using errcode = 'PT409';
    end if;
    v_entry := private.step_entry(v_entry, jsonb_build_object(
      'state', p_state, 'finished_at', now(),
      'error_code', case when p_state = 'failed' then p_error_code end,
      'error_message', case when p_state = 'failed' then left(private.redact(p_error_message), 2000) end));
  else  -- skipped
    if v_previous not in ('pending', 'failed') then
      raise exception 'Step % is %: only a pending or failed step can be skipped.', p_step, v_previous using errcode = 'PT409';
    end if;
    v_entry := private.step_entry(v_entry, jsonb_build_object('state', 'skipped', 'finished_at', now()));
  end if;

  update public.tenant_databases d
  set provisioning_status = jsonb_set(d.provisioning_status, array[p_step], v_entry),
      current_step = p_step
  where d.id = t.id
  returning d.* into t;

  perform private.provisioning_event(t, 'step', coalesce(p_details, '{}'::jsonb), p_worker_id, p_step, p_state,
    (v_entry ->> 'attempts')::int, p_error_code => case when p_state = 'failed' then p_error_code end,
    p_error_message => case when p_state = 'failed' then p_error_message end);
  return v_entry;
end
$$;
comment on function public.record_provisioning_step(uuid, text, text, text, text, jsonb, text) is 'Records a step state for a provisioning tenant: running (after every earlier step succeeded/skipped; attempts + 1) → succeeded | failed (error code + message, redacted); pending/failed → skipped. Updates provisioning_status and appends a provisioning event. p_worker_id must hold the lease (when null, nobody may hold one). Returns the step entry. service_role only.';
revoke all on function public.record_provisioning_step(uuid, text, text, text, text, jsonb, text) from public, anon, authenticated;
grant execute on function public.record_provisioning_step(uuid, text, text, text, text, jsonb, text) to service_role;

create function public.transition_tenant_status(
  p_tenant_id uuid,
  p_from text,
  p_to text,
  p_reason text default null,
  p_worker_id text default null,
  p_entry_point text default 'provisioning-engine',
  p_request_id text default null
) returns text
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  t public.tenant_databases;
begin
  perform private.validate_entry_point(p_entry_point, p_request_id);
  if p_to = 'provisioning' then
    raise exception 'Use claim_tenant_for_provisioning to start provisioning (it takes the lease).' using errcode = 'PT409';
  end if;
  if p_worker_id is not null then
    perform private.validate_worker(p_worker_id);
  end if;
  t := private.lock_tenant(p_tenant_id);
  if t.status is distinct from p_from then
    raise exception 'Tenant % is %, not %.', t.id, t.status, coalesce(p_from, 'null') using errcode = 'PT409';
  end if;
  if not exists (select 1 from public.tenant_status_transitions x where x.from_status = p_from and x.to_status = p_to) then
    raise exception 'Tenant % cannot go from % to %.', t.id, p_from, coalesce(p_to, 'null')
      using errcode = 'PT409', hint = 'Allowed moves are listed in public.tenant_status_transitions.';
  end if;
  if t.status in ('provisioning', 'deprovisioning') then
    perform private.assert_lease(t, p_worker_id);
  end if;
  t := private.set_status(t, p_to, p_reason, p_worker_id, p_entry_point, p_request_id);
  return t.status;
end
$$;
comment on function public.transition_tenant_status(uuid, text, text, text, text, text, text) is 'Compare-and-set status move (PT409 when the tenant is not in p_from or the move is not in tenant_status_transitions). While provisioning/deprovisioning, p_worker_id must hold the lease. → active needs every earlier step succeeded/skipped; → deleted removes the Vault secrets. service_role only.';
revoke all on function public.transition_tenant_status(uuid, text, text, text, text, text, text) from public, anon, authenticated;
grant execute on function public.transition_tenant_status(uuid, text, text, text, text, text, text) to service_role;

create function public.update_tenant_resources(
  p_tenant_id uuid,
  p_patch jsonb,
  p_worker_id text default null
) returns void
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  t public.tenant_databases;
  v_unknown text;
begin
  if p_patch is null or jsonb_typeof(p_patch) <> 'object' then
    raise exception 'patch must be a JSON object.' using errcode = 'PT400', hint = 'field: patch';
  end if;
  select string_agg(k, ', ') into v_unknown from jsonb_object_keys(p_patch) as k
  where k not in ('neon_project_id', 'neon_branch_id', 'neon_endpoint_id', 'neon_database_name',
                  'graphql_endpoint_url', 'graphql_endpoint_status', 'ssl_mode', 'ssl_status');
  if v_unknown is not null then
    raise exception 'Unknown or read-only tenant field(s): %.', v_unknown using errcode = 'PT400', hint = 'field: patch';
  end if;
  if p_worker_id is not null then
    perform private.validate_worker(p_worker_id);
  end if;
  t := private.lock_tenant(p_tenant_id);
  if t.status = 'deleted' then
    raise exception 'Tenant % is deleted.', t.id using errcode = 'PT409';
  end if;
  perform private.assert_lease(t, p_worker_id);
  update public.tenant_databases d
  set neon_project_id = case when p_patch ? 'neon_project_id' then p_patch ->> 'neon_project_id' else d.neon_project_id end,
      neon_branch_id = case when p_patch ? 'neon_branch_id' then p_patch ->> 'neon_branch_id' else d.neon_branch_id end,
      neon_endpoint_id = case when p_patch ? 'neon_endpoint_id' then p_patch ->> 'neon_endpoint_id' else d.neon_endpoint_id end,
      neon_database_name = case when p_patch ? 'neon_database_name' then p_patch ->> 'neon_database_name' else d.neon_database_name end,
      graphql_endpoint_url = case when p_patch ? 'graphql_endpoint_url' then p_patch ->> 'graphql_endpoint_url' else d.graphql_endpoint_url end,
      graphql_endpoint_status = case when p_patch ? 'graphql_endpoint_status' then p_patch ->> 'graphql_endpoint_status' else d.graphql_endpoint_status end,
      ssl_mode = case when p_patch ? 'ssl_mode' then p_patch ->> 'ssl_mode' else d.ssl_mode end,
      ssl_status = case when p_patch ? 'ssl_status' then p_patch ->> 'ssl_status' else d.ssl_status end,
      ssl_verified_at = case when p_patch ->> 'ssl_status' = 'verified' then now()
                             when p_patch ? 'ssl_status' then null else d.ssl_verified_at end
  where d.id = t.id
  returning d.* into t;
  perform private.provisioning_event(t, 'resources_updated', p_patch, p_worker_id, p_attempt => t.provisioning_attempt);
end
$$;
comment on function public.update_tenant_resources(uuid, jsonb, text) is 'Sets non-secret resource fields of a tenant from a JSON patch: neon_project_id, neon_branch_id, neon_endpoint_id, neon_database_name, graphql_endpoint_url, graphql_endpoint_status, ssl_mode, ssl_status (verified stamps ssl_verified_at). Unknown keys: PT400. Lease rules as record_provisioning_step. service_role only.';
revoke all on function public.update_tenant_resources(uuid, jsonb, text) from public, anon, authenticated;
grant execute on function public.update_tenant_resources(uuid, jsonb, text) to service_role;
