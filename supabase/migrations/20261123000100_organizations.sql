-- Central registry, part 1: organizations, their members, and the role checks every later policy
-- and function uses. Runs as `postgres` (not a superuser) on hosted Supabase (PG 15/17) and locally.
--
-- Conventions for the whole registry (docs/architecture.md):
--   * API roles get explicit grants only (new tables are not exposed automatically since 2026).
--   * SECURITY DEFINER functions are owned by `postgres` (BYPASSRLS), `set search_path = ''`,
--     qualify every name, and have EXECUTE revoked from public/anon/authenticated unless meant for them.
--   * Functions callers may hit raise PT400/PT401/PT403/PT404/PT409 with a caller-facing message.
--   * The caller is read from the request claims (`auth.uid()`, `auth.role()`), which only PostgREST
--     and our server code (db.ts withCaller / asService) set.
--   * Internal helpers live in schema `private`: not exposed by the Data API, no grants to API roles.

create schema if not exists private;
comment on schema private is 'Registry internals: helpers called by SECURITY DEFINER functions. No API role has USAGE; never exposed by the Data API.';
revoke all on schema private from public;

-- ---------------------------------------------------------------------------------------------
-- Caller helpers (internal)

create function private.is_service_role() returns boolean
language sql stable
set search_path = ''
as $$ select coalesce(auth.role(), '') = 'service_role' $$;
comment on function private.is_service_role() is 'True when the request claims say service_role (asService in db.ts, or a secret-key PostgREST call).';
revoke all on function private.is_service_role() from public;

-- ---------------------------------------------------------------------------------------------
-- organizations

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  slug text not null,
  name text not null,
  plan text not null default 'free',
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  constraint organizations_slug_format check (slug ~ '^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$'),
  constraint organizations_name_length check (char_length(btrim(name)) between 1 and 200),
  constraint organizations_plan check (plan in ('free', 'starter', 'professional', 'enterprise'))
);
comment on table public.organizations is 'A customer organization; each gets at most one live tenant database (tenant_databases). Deleted organizations stay as tombstones (deleted_at set) so their slug stays reserved.';
comment on column public.organizations.slug is 'URL name (3–40 chars, a-z 0-9 -). Unique across live AND deleted organizations, and immutable: a slug once used is never handed to anyone else, so nothing keyed by it (subdomains, links, caches, exports) can resolve to a new owner.';
comment on column public.organizations.plan is 'Subscription plan: free | starter | professional | enterprise. Users provision tenants on this plan only (service_role may choose another); it also picks the default compute size. Changed by billing (service side), never by members.';
comment on column public.organizations.deleted_at is 'Tombstone: set by delete_organization(); the row is never removed.';

-- Unique over tombstones too: this is what makes a deleted organization's slug non-inheritable.
create unique index organizations_slug_key on public.organizations (slug);
create index organizations_created_by_idx on public.organizations (created_by);

create function private.organizations_guard() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'Organizations are never deleted: call delete_organization() to leave a tombstone.'
      using errcode = 'PT409', hint = 'The tombstone keeps the slug reserved.';
  end if;
  if new.slug is distinct from old.slug then
    raise exception 'An organization''s slug cannot change (it stays reserved for this organization).'
      using errcode = 'PT409';
  end if;
  if old.deleted_at is not null and new.deleted_at is distinct from old.deleted_at then
    raise exception 'A deleted organization cannot be restored.' using errcode = 'PT409';
  end if;
  new.updated_at := now();
  return new;
end
$$;
comment on function private.organizations_guard() is 'Trigger: organizations are never hard-deleted, slugs never change, tombstones are final.';
revoke all on function private.organizations_guard() from public;

create trigger organizations_guard
  before update or delete on public.organizations
  for each row execute function private.organizations_guard();

alter table public.organizations enable row level security;

-- ---------------------------------------------------------------------------------------------
-- organization_members

create table public.organization_members (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null,
  created_at timestamptz not null default now(),
  primary key (organization_id, user_id),
  constraint organization_members_role check (role in ('owner', 'admin', 'member'))
);
comment on table public.organization_members is 'Who belongs to which organization, with one role: owner | admin | member.';
comment on column public.organization_members.role is 'owner: everything incl. deprovisioning; admin: provisioning, retries, health checks, connection strings; member: read status, steps and health.';
create index organization_members_user_idx on public.organization_members (user_id, organization_id);

alter table public.organization_members enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Role checks. SECURITY DEFINER so policies can use them without recursing into
-- organization_members' own policy; they only ever answer for the current caller (auth.uid()).

create function public.has_org_role(org uuid, roles text[] default null) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.organization_members m
    join public.organizations o on o.id = m.organization_id
    where m.organization_id = org
      and m.user_id = auth.uid()
      and o.deleted_at is null
      and (roles is null or m.role = any (roles))
  )
$$;
comment on function public.has_org_role(uuid, text[]) is 'True when the calling user (auth.uid()) is a member of the live organization `org` with one of `roles` (any role when null). SECURITY DEFINER; callable by authenticated and service_role (the latter has no auth.uid(), so always false).';
revoke all on function public.has_org_role(uuid, text[]) from public, anon, authenticated;
grant execute on function public.has_org_role(uuid, text[]) to authenticated, service_role;

create function public.org_ids_with_role(roles text[] default null) returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.organization_id
  from public.organization_members m
  join public.organizations o on o.id = m.organization_id
  where m.user_id = auth.uid()
    and o.deleted_at is null
    and (roles is null or m.role = any (roles))
$$;
comment on function public.org_ids_with_role(text[]) is 'Ids of the live organizations where the calling user has one of `roles` (any role when null). Policies use `organization_id in (select public.org_ids_with_role(...))`, evaluated once per statement instead of once per row.';
revoke all on function public.org_ids_with_role(text[]) from public, anon, authenticated;
grant execute on function public.org_ids_with_role(text[]) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Grants and policies. Writes go through the functions below (and, for later features, new
-- functions): no API role writes these tables directly.

grant select on table public.organizations to authenticated, service_role;
grant select on table public.organization_members to authenticated, service_role;

create policy organizations_select_member on public.organizations
  for select to authenticated
  using (id in (select public.org_ids_with_role()));
comment on policy organizations_select_member on public.organizations is 'Members see their live organizations.';

create policy organization_members_select_member on public.organization_members
  for select to authenticated
  using (organization_id in (select public.org_ids_with_role()));
comment on policy organization_members_select_member on public.organization_members is 'Members see the member list of their organizations.';

-- ---------------------------------------------------------------------------------------------
-- create_organization (delete_organization lives with the tenant lifecycle: 20261123000500)

create function public.create_organization(p_slug text, p_name text, p_owner_user_id uuid default null, p_entry_point text default 'sql', p_request_id text default null)
returns uuid
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_owner uuid;
  v_org uuid;
  v_slug text := lower(btrim(p_slug));
begin
  if private.is_service_role() then
    v_owner := p_owner_user_id;
    if v_owner is null then
      raise exception 'p_owner_user_id is required for a service-role call.' using errcode = 'PT400';
    end if;
  else
    v_owner := auth.uid();
    if v_owner is null then
      raise exception 'Sign in to create an organization.' using errcode = 'PT401';
    end if;
    if p_owner_user_id is not null and p_owner_user_id <> v_owner then
      raise exception 'You can only create an organization owned by yourself.' using errcode = 'PT403';
    end if;
  end if;
  if v_slug is null or v_slug !~ '^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$' then
    raise exception 'The slug must be 3–40 characters of a-z, 0-9 and "-", not starting or ending with "-".'
      using errcode = 'PT400', hint = 'field: slug';
  end if;
  if p_name is null or char_length(btrim(p_name)) not between 1 and 200 then
    raise exception 'The name must be 1–200 characters.' using errcode = 'PT400', hint = 'field: name';
  end if;

  begin
    insert into public.organizations (slug, name, created_by)
    values (v_slug, btrim(p_name), v_owner)
    returning id into v_org;
  exception when unique_violation then
    raise exception 'The slug "%" is taken (slugs of deleted organizations stay reserved). Pick another slug.', v_slug
      using errcode = 'PT409', hint = 'field: slug';
  end;

  insert into public.organization_members (organization_id, user_id, role) values (v_org, v_owner, 'owner');
  -- private.audit is created by the next migration (plpgsql resolves names when the function runs).
  perform private.audit('organization.created', v_org, null, p_entry_point, p_request_id,
    jsonb_build_object('slug', v_slug, 'owner_user_id', v_owner));
  return v_org;
end
$$;
comment on function public.create_organization(text, text, uuid, text, text) is 'Creates an organization with the caller (authenticated) or p_owner_user_id (service_role) as owner; PT409 when the slug is taken or reserved by a deleted organization. Callable by authenticated and service_role.';
revoke all on function public.create_organization(text, text, uuid, text, text) from public, anon, authenticated;
grant execute on function public.create_organization(text, text, uuid, text, text) to authenticated, service_role;
