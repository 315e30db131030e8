-- 0002 store settings, roles and permissions.
--
-- Settings are key/value (jsonb) so a new setting is data, not a migration. Roles and permissions
-- are data too: the defaults (store_admin, staff, viewer) come from tenant-schema/seed, and a
-- store may add its own roles. Who belongs to the organization is decided centrally (the
-- registry); staff_members says what each member may do inside this store.

create table public.store_settings (
  key text primary key check (key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' and length(key) <= 100),
  value jsonb not null,
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create trigger store_settings_set_updated_at before update on public.store_settings
  for each row execute function public.set_updated_at();
comment on table public.store_settings is 'Store configuration as dotted keys (e.g. store.currency) with JSON values.';

create table public.permissions (
  -- <area>.<action>, e.g. products.write
  key text primary key check (key ~ '^[a-z][a-z_]*\.[a-z][a-z_]*$'),
  description text not null
);
comment on table public.permissions is 'What a role can be allowed to do, as <area>.<action> keys.';

create table public.roles (
  key text primary key check (key ~ '^[a-z][a-z0-9_]*$' and length(key) <= 64),
  name text not null check (length(btrim(name)) between 1 and 100),
  description text,
  -- Default roles from the seed: they cannot be deleted or renamed (trigger below).
  is_system boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create trigger roles_set_updated_at before update on public.roles
  for each row execute function public.set_updated_at();
comment on table public.roles is 'Store roles (store_admin, staff, viewer by default; stores may add their own).';

-- Code checks permissions by the default roles' keys, so those keys must keep existing.
create function public.protect_system_roles() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.is_system and (tg_op = 'DELETE' or new.key <> old.key or not new.is_system) then
    raise exception 'Role % is a default role: it cannot be deleted, renamed or made a custom role.', old.key
      using errcode = 'restrict_violation', hint = 'Create a custom role instead.';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end
$$;
create trigger roles_protect_system before update or delete on public.roles
  for each row execute function public.protect_system_roles();

create table public.role_permissions (
  role_key text not null references public.roles (key) on update cascade on delete cascade,
  permission_key text not null references public.permissions (key) on update cascade on delete cascade,
  primary key (role_key, permission_key)
);
create index role_permissions_permission_key_idx on public.role_permissions (permission_key);
comment on table public.role_permissions is 'Which permissions each role grants.';

create table public.staff_members (
  -- The member's Supabase auth user id (lives in the registry: no FK).
  user_id uuid primary key,
  -- A role in use cannot be deleted: reassign its members first.
  role_key text not null references public.roles (key) on update cascade on delete restrict,
  email text not null check (length(email) <= 320),
  display_name text,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index staff_members_role_key_idx on public.staff_members (role_key);
create trigger staff_members_set_updated_at before update on public.staff_members
  for each row execute function public.set_updated_at();
comment on table public.staff_members is 'Organization members working in this store, with their store role.';
