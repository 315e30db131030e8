-- Central registry, part 6: tenant credentials. Connection strings (owner and least-privilege app
-- role, direct and pooled) live only in Vault, under deterministic names `tenant:<tenant id>:<kind>`;
-- tenant_databases holds their secret ids (plain uuids) and the non-secret parts (connection_info).
-- Only the SECURITY DEFINER functions below (owned by postgres, which has Vault's hosted grants)
-- touch `vault`; anon/authenticated have no Vault privileges at all.
--
--   store_tenant_credentials, delete_tenant_credentials, get_tenant_connection_for_tenant: service_role only
--   get_tenant_connection, get_tenant_connection_info: owners/admins (auth.uid()) or service_role

create function private.credential_kinds() returns text[]
language sql immutable parallel safe
set search_path = ''
as $$ select array['owner_direct', 'owner_pooled', 'app_direct', 'app_pooled']::text[] $$;
comment on function private.credential_kinds() is 'Credential kinds: owner_direct, owner_pooled (database owner role), app_direct, app_pooled (least-privilege app role).';
revoke all on function private.credential_kinds() from public;

create function private.validate_credential_kind(p_kind text) returns void
language plpgsql immutable
set search_path = ''
as $$
begin
  if p_kind is null or not (p_kind = any (private.credential_kinds())) then
    raise exception 'kind must be one of owner_direct, owner_pooled, app_direct, app_pooled.' using errcode = 'PT400', hint = 'field: kind';
  end if;
end
$$;
comment on function private.validate_credential_kind(text) is 'PT400 unless p_kind is a credential kind.';
revoke all on function private.validate_credential_kind(text) from public;

create function private.tenant_secret_name(p_tenant_id uuid, p_kind text) returns text
language sql immutable
set search_path = ''
as $$ select 'tenant:' || p_tenant_id::text || ':' || p_kind $$;
comment on function private.tenant_secret_name(uuid, text) is 'Deterministic Vault secret name of a tenant credential: tenant:<tenant id>:<kind>.';
revoke all on function private.tenant_secret_name(uuid, text) from public;

create function private.tenant_secret_id(t public.tenant_databases, p_kind text) returns uuid
language sql immutable
set search_path = ''
as $$
  select case p_kind
    when 'owner_direct' then t.owner_direct_secret_id
    when 'owner_pooled' then t.owner_pooled_secret_id
    when 'app_direct' then t.app_direct_secret_id
    when 'app_pooled' then t.app_pooled_secret_id
  end
$$;
comment on function private.tenant_secret_id(public.tenant_databases, text) is 'The Vault secret id column of a tenant for a credential kind.';
revoke all on function private.tenant_secret_id(public.tenant_databases, text) from public;

-- Never echoes its input: a malformed string may still contain a password.
create function private.connection_info_of(p_connection_string text) returns jsonb
language plpgsql immutable
set search_path = ''
as $$
declare
  m text[];
begin
  m := regexp_match(p_connection_string,
    '^postgres(?:ql)?://([^:@/?#[:space:]]+)(?::[^@/?#[:space:]]*)?@([^/:?#@[:space:]]+)(?::([0-9]{1,5}))?/([^/?#[:space:]]+)(?:\?([^#[:space:]]*))?$');
  if m is null then
    raise exception 'connection string must look like postgresql://user:password@host[:port]/database[?sslmode=require].'
      using errcode = 'PT400', hint = 'field: connection_string';
  end if;
  return jsonb_build_object(
    'user', m[1],
    'host', m[2],
    'port', coalesce(m[3]::int, 5432),
    'database', m[4],
    'sslmode', substring(coalesce(m[5], '') from '(?:^|&)sslmode=([A-Za-z-]+)'));
end
$$;
comment on function private.connection_info_of(text) is 'The non-secret parts of a connection string {user, host, port, database, sslmode}; PT400 (without echoing the input) when it is not a postgres URL.';
revoke all on function private.connection_info_of(text) from public;

-- Deletes every Vault secret of a (locked) tenant and clears its secret ids.
create function private.delete_tenant_secrets(t public.tenant_databases, p_entry_point text, p_request_id text) returns integer
language plpgsql volatile
set search_path = ''
as $$
declare
  v_deleted integer;
begin
  with gone as (
    delete from vault.secrets s
    where s.id in (t.owner_direct_secret_id, t.owner_pooled_secret_id, t.app_direct_secret_id, t.app_pooled_secret_id)
       or s.name in (select private.tenant_secret_name(t.id, k) from unnest(private.credential_kinds()) as k)
    returning 1
  )
  select count(*) into v_deleted from gone;

  update public.tenant_databases d
  set owner_direct_secret_id = null, owner_pooled_secret_id = null, app_direct_secret_id = null, app_pooled_secret_id = null,
      connection_info = '{}'::jsonb,
      credentials_version = d.credentials_version + 1,
      credentials_rotated_at = now()
  where d.id = t.id;

  perform private.provisioning_event(t, 'credentials_deleted', jsonb_build_object('secrets', v_deleted));
  perform private.audit('credentials.deleted', t.organization_id, t.id, p_entry_point, p_request_id,
    jsonb_build_object('secrets', v_deleted));
  return v_deleted;
end
$$;
comment on function private.delete_tenant_secrets(public.tenant_databases, text, text) is 'Deletes a tenant''s Vault secrets (by id and by deterministic name), clears the ids and connection_info, bumps credentials_version. Internal.';
revoke all on function private.delete_tenant_secrets(public.tenant_databases, text, text) from public;

create function public.store_tenant_credentials(
  p_tenant_id uuid,
  p_kind text,
  p_connection_string text,
  p_worker_id text default null,
  p_entry_point text default 'provisioning-engine',
  p_request_id text default null
) returns uuid
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  t public.tenant_databases;
  v_info jsonb;
  v_name text;
  v_secret_id uuid;
  v_rotated boolean := false;
begin
  perform private.validate_entry_point(p_entry_point, p_request_id);
  perform private.validate_credential_kind(p_kind);
  v_info := private.connection_info_of(p_connection_string);
  if p_worker_id is not null then
    perform private.validate_worker(p_worker_id);
  end if;

  t := private.lock_tenant(p_tenant_id);
  if t.status in ('deprovisioning', 'deleted') then
    raise exception 'Tenant % is %: no new credentials.', t.id, t.status using errcode = 'PT409';
  end if;
  perform private.assert_lease(t, p_worker_id);

  v_name := private.tenant_secret_name(t.id, p_kind);
  v_secret_id := private.tenant_secret_id(t, p_kind);
  if v_secret_id is not null and not exists (select 1 from vault.secrets s where s.id = v_secret_id) then
    v_secret_id := null;  -- the secret vanished (deleted by hand): store a new one
  end if;
  if v_secret_id is null then
    select s.id into v_secret_id from vault.secrets s where s.name = v_name;
  end if;

  if v_secret_id is null then
    v_secret_id := vault.create_secret(p_connection_string, v_name,
      format('Connection string (%s) of tenant %s, organization %s', p_kind, t.id, t.organization_id));
  else
    perform vault.update_secret(v_secret_id, p_connection_string, v_name);
    v_rotated := true;
  end if;

  update public.tenant_databases d
  set owner_direct_secret_id = case when p_kind = 'owner_direct' then v_secret_id else d.owner_direct_secret_id end,
      owner_pooled_secret_id = case when p_kind = 'owner_pooled' then v_secret_id else d.owner_pooled_secret_id end,
      app_direct_secret_id = case when p_kind = 'app_direct' then v_secret_id else d.app_direct_secret_id end,
      app_pooled_secret_id = case when p_kind = 'app_pooled' then v_secret_id else d.app_pooled_secret_id end,
      connection_info = jsonb_set(d.connection_info, array[p_kind], v_info),
      credentials_version = d.credentials_version + 1,
      credentials_rotated_at = case when v_rotated then now() else d.credentials_rotated_at end
  where d.id = t.id
  returning d.* into t;

  perform private.provisioning_event(t, case when v_rotated then 'credentials_rotated' else 'credentials_stored' end,
    jsonb_build_object('kind', p_kind), p_worker_id, p_attempt => t.provisioning_attempt);
  perform private.audit(case when v_rotated then 'credentials.rotated' else 'credentials.stored' end,
    t.organization_id, t.id, p_entry_point, p_request_id,
    jsonb_build_object('kind', p_kind, 'secret_id', v_secret_id, 'credentials_version', t.credentials_version));
  return v_secret_id;
end
$$;
comment on function public.store_tenant_credentials(uuid, text, text, text, text, text) is 'Stores a tenant connection string in Vault: vault.create_secret under tenant:<tenant id>:<kind>, or vault.update_secret when it exists (rotation); records the secret id and the non-secret parts, bumps credentials_version (connection caches revalidate). Lease rules as record_provisioning_step. Returns the secret id. service_role only.';
revoke all on function public.store_tenant_credentials(uuid, text, text, text, text, text) from public, anon, authenticated;
grant execute on function public.store_tenant_credentials(uuid, text, text, text, text, text) to service_role;

create function public.delete_tenant_credentials(
  p_tenant_id uuid,
  p_worker_id text default null,
  p_entry_point text default 'provisioning-engine',
  p_request_id text default null
) returns integer
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  t public.tenant_databases;
begin
  perform private.validate_entry_point(p_entry_point, p_request_id);
  if p_worker_id is not null then
    perform private.validate_worker(p_worker_id);
  end if;
  t := private.lock_tenant(p_tenant_id);
  perform private.assert_lease(t, p_worker_id);
  return private.delete_tenant_secrets(t, p_entry_point, p_request_id);
end
$$;
comment on function public.delete_tenant_credentials(uuid, text, text, text) is 'Deletes every Vault secret of a tenant and clears its secret ids (deprovisioning; transition to deleted does it too). Returns the number of secrets deleted. service_role only.';
revoke all on function public.delete_tenant_credentials(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.delete_tenant_credentials(uuid, text, text, text) to service_role;

create function private.read_tenant_secret(t public.tenant_databases, p_kind text, p_entry_point text, p_request_id text) returns text
language plpgsql volatile
set search_path = ''
as $$
declare
  v_secret_id uuid := private.tenant_secret_id(t, p_kind);
  v_secret text;
begin
  if v_secret_id is not null then
    select s.decrypted_secret into v_secret from vault.decrypted_secrets s where s.id = v_secret_id;
  end if;
  if v_secret is null then
    raise exception 'No % connection string is stored for this tenant database yet.', p_kind using errcode = 'PT404';
  end if;
  perform private.audit('connection.read', t.organization_id, t.id, p_entry_point, p_request_id,
    jsonb_build_object('kind', p_kind, 'secret_id', v_secret_id));
  return v_secret;
end
$$;
comment on function private.read_tenant_secret(public.tenant_databases, text, text, text) is 'Decrypts one tenant credential and appends the connection.read audit row. Internal.';
revoke all on function private.read_tenant_secret(public.tenant_databases, text, text, text) from public;

create function public.get_tenant_connection(
  p_organization_id uuid,
  p_kind text default 'app_pooled',
  p_entry_point text default 'sql',
  p_request_id text default null
) returns text
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  t public.tenant_databases;
begin
  perform private.validate_entry_point(p_entry_point, p_request_id);
  -- PostgREST sets request.path; our server code (db.ts) does not. Served through the Data API,
  -- this function would skip the edge function's rate limit and let the caller name the entry point.
  if nullif(current_setting('request.path', true), '') is not null then
    raise exception 'Connection strings are served by the decrypt-connection-string function, not the Data API.' using errcode = 'PT403';
  end if;
  perform private.require_org_role(p_organization_id, array['owner', 'admin'], 'read connection strings');
  perform private.validate_credential_kind(p_kind);
  select * into t from public.tenant_databases d
  where d.organization_id = p_organization_id and d.status = 'active';
  if not found then
    raise exception 'This organization has no active tenant database.' using errcode = 'PT404';
  end if;
  return private.read_tenant_secret(t, p_kind, p_entry_point, p_request_id);
end
$$;
comment on function public.get_tenant_connection(uuid, text, text, text) is 'The connection string (kind, default app_pooled) of the organization''s active tenant database, for owners/admins (auth.uid()) or service_role; PT403 otherwise, PT404 without an active tenant or stored credential. Every read appends connection.read to audit_log with the caller, entry point and request id. Refused through the Data API. Callable by authenticated and service_role.';
revoke all on function public.get_tenant_connection(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.get_tenant_connection(uuid, text, text, text) to authenticated, service_role;

create function public.get_tenant_connection_for_tenant(
  p_tenant_id uuid,
  p_kind text,
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
  perform private.validate_credential_kind(p_kind);
  select * into t from public.tenant_databases d where d.id = p_tenant_id;
  if not found or t.status = 'deleted' then
    raise exception 'Tenant database % does not exist or is deleted.', p_tenant_id using errcode = 'PT404';
  end if;
  return private.read_tenant_secret(t, p_kind, p_entry_point, p_request_id);
end
$$;
comment on function public.get_tenant_connection_for_tenant(uuid, text, text, text) is 'A tenant connection string in any status but deleted (the engine during provisioning and deprovisioning, the health checker). Audited as connection.read. service_role only.';
revoke all on function public.get_tenant_connection_for_tenant(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.get_tenant_connection_for_tenant(uuid, text, text, text) to service_role;

create function public.get_tenant_connection_info(p_organization_id uuid)
returns table (tenant_id uuid, kind text, stored boolean, username text, host text, port integer, database text, sslmode text)
language plpgsql stable security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  t public.tenant_databases;
begin
  perform private.require_org_role(p_organization_id, array['owner', 'admin'], 'read connection info');
  select * into t from public.tenant_databases d
  where d.organization_id = p_organization_id and d.status <> 'deleted';
  if not found then
    raise exception 'This organization has no tenant database.' using errcode = 'PT404';
  end if;
  return query
    select t.id, k, private.tenant_secret_id(t, k) is not null,
           t.connection_info -> k ->> 'user', t.connection_info -> k ->> 'host',
           (t.connection_info -> k ->> 'port')::int, t.connection_info -> k ->> 'database',
           coalesce(t.connection_info -> k ->> 'sslmode', t.ssl_mode)
    from unnest(private.credential_kinds()) with ordinality as u (k, ord)
    order by u.ord;
end
$$;
comment on function public.get_tenant_connection_info(uuid) is 'Non-secret connection details (user, host, port, database, sslmode, whether stored) of each credential kind of the organization''s tenant database, for owners/admins or service_role. Never a password. Callable by authenticated and service_role.';
revoke all on function public.get_tenant_connection_info(uuid) from public, anon, authenticated;
grant execute on function public.get_tenant_connection_info(uuid) to authenticated, service_role;
