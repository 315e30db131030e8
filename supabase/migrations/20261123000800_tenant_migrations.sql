-- Central registry, part 8: the per-tenant migrations ledger. Which tenant-schema version was
-- applied to which tenant database, with its checksum, duration and outcome (failures included).

create table public.tenant_migrations (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenant_databases (id) on delete restrict,
  organization_id uuid not null,
  version text not null,
  name text,
  checksum text not null,
  applied_at timestamptz not null default now(),
  duration_ms integer not null,
  success boolean not null,
  error_code text,
  error_message text,
  constraint tenant_migrations_version_format check (version ~ '^[0-9A-Za-z_.-]{1,64}$'),
  constraint tenant_migrations_name_length check (char_length(name) <= 200),
  constraint tenant_migrations_checksum_format check (checksum ~ '^[0-9a-f]{64}$'),
  constraint tenant_migrations_duration check (duration_ms >= 0),
  constraint tenant_migrations_error_shape check (success or error_code is not null),
  constraint tenant_migrations_error_code_format check (error_code ~ '^[A-Za-z0-9_.:-]{1,100}$'),
  constraint tenant_migrations_error_message_length check (char_length(error_message) <= 2000)
);
comment on table public.tenant_migrations is 'Ledger of tenant-schema migrations per tenant database: one row per attempt; at most one successful row per (tenant, version). Written by record_tenant_migration (service_role); members read.';
comment on column public.tenant_migrations.checksum is 'sha256 (hex) of the migration file; a different checksum for an applied version is refused (drift).';

create unique index tenant_migrations_applied_once on public.tenant_migrations (tenant_id, version) where success;
create index tenant_migrations_tenant_idx on public.tenant_migrations (tenant_id, applied_at desc);

alter table public.tenant_migrations enable row level security;
grant select on table public.tenant_migrations to authenticated, service_role;
revoke all on sequence public.tenant_migrations_id_seq from anon, authenticated, service_role;

create policy tenant_migrations_select_member on public.tenant_migrations
  for select to authenticated
  using (organization_id in (select public.org_ids_with_role()));
comment on policy tenant_migrations_select_member on public.tenant_migrations is 'Members read which schema versions their tenant database has.';

create function public.record_tenant_migration(
  p_tenant_id uuid,
  p_version text,
  p_name text,
  p_checksum text,
  p_duration_ms integer,
  p_success boolean,
  p_error_code text default null,
  p_error_message text default null
) returns bigint
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  t public.tenant_databases;
  v_existing public.tenant_migrations;
  v_id bigint;
begin
  if p_version is null or p_version !~ '^[0-9A-Za-z_.-]{1,64}$' then
    raise exception 'version must be 1–64 characters of 0-9 A-Z a-z _ . -.' using errcode = 'PT400', hint = 'field: version';
  end if;
  if p_checksum is null or p_checksum !~ '^[0-9a-f]{64}$' then
    raise exception 'checksum must be a lower-case hex sha256.' using errcode = 'PT400', hint = 'field: checksum';
  end if;
  if p_duration_ms is null or p_duration_ms < 0 then
    raise exception 'duration must be a non-negative number of ms.' using errcode = 'PT400', hint = 'field: duration_ms';
  end if;
  if p_success is null then
    raise exception 'success is required.' using errcode = 'PT400', hint = 'field: success';
  end if;
  if not p_success and p_error_code is null then
    raise exception 'A failed migration needs an error code.' using errcode = 'PT400', hint = 'field: error_code';
  end if;
  if p_error_code is not null and p_error_code !~ '^[A-Za-z0-9_.:-]{1,100}$' then
    raise exception 'error code must be 1–100 characters of A-Z a-z 0-9 _ . : -.' using errcode = 'PT400', hint = 'field: error_code';
  end if;

  select * into t from public.tenant_databases d where d.id = p_tenant_id for update;
  if not found or t.status = 'deleted' then
    raise exception 'Tenant database % does not exist or is deleted.', p_tenant_id using errcode = 'PT404';
  end if;

  select * into v_existing from public.tenant_migrations m
  where m.tenant_id = t.id and m.version = p_version and m.success;
  if found then
    if v_existing.checksum <> p_checksum then
      raise exception 'Tenant % already has version % applied with another checksum (drift): migrations are append-only.', t.id, p_version
        using errcode = 'PT409';
    end if;
    if p_success then
      return v_existing.id;  -- repeated report of the same successful migration
    end if;
  end if;

  insert into public.tenant_migrations (tenant_id, organization_id, version, name, checksum, duration_ms, success, error_code, error_message)
  values (t.id, t.organization_id, p_version, left(p_name, 200), p_checksum, p_duration_ms, p_success,
          case when p_success then null else p_error_code end,
          case when p_success then null else left(private.redact(p_error_message), 2000) end)
  returning id into v_id;
  return v_id;
end
$$;
comment on function public.record_tenant_migration(uuid, text, text, text, integer, boolean, text, text) is 'Appends one migration attempt to a tenant''s ledger (error message redacted). Idempotent for a repeated success; PT409 when the version was applied with another checksum. service_role only.';
revoke all on function public.record_tenant_migration(uuid, text, text, text, integer, boolean, text, text) from public, anon, authenticated;
grant execute on function public.record_tenant_migration(uuid, text, text, text, integer, boolean, text, text) to service_role;

create function public.applied_tenant_migrations(p_tenant_id uuid)
returns table (version text, checksum text, applied_at timestamptz)
language sql stable security definer
set search_path = ''
as $$
  select m.version, m.checksum, m.applied_at
  from public.tenant_migrations m
  where m.tenant_id = p_tenant_id and m.success
  order by m.version
$$;
comment on function public.applied_tenant_migrations(uuid) is 'The successfully applied versions of a tenant (what the migration runner skips). service_role only.';
revoke all on function public.applied_tenant_migrations(uuid) from public, anon, authenticated;
grant execute on function public.applied_tenant_migrations(uuid) to service_role;
