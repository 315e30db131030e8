-- Local stand-in for the Supabase platform: API roles and the `postgres` role as hosted Supabase
-- has them. Applied by the local stack and the tests as the cluster superuser (supabase_admin);
-- never a migration. Idempotent: safe to apply on every start.
-- Source of the shapes: ../shared/reference/supabase-platform.md §2.2.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  -- Hosted `postgres` is not a superuser (demote-postgres migration) but bypasses RLS.
  if not exists (select 1 from pg_roles where rolname = 'postgres') then
    create role postgres login;
  end if;
end
$$;

alter role postgres nosuperuser createdb createrole login replication bypassrls;
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres with admin option;

-- Supabase runs migrations as `postgres`, which owns the public schema's objects.
grant all on schema public to postgres;
alter schema public owner to postgres;
grant usage on schema public to anon, authenticated, service_role;

create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

-- Supabase's default privileges on public (init script). Since 2026-10-30 new *tables* are no
-- longer granted to the API roles automatically, so only functions and sequences keep defaults.
alter default privileges for role postgres in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to postgres, anon, authenticated, service_role;

-- Hosted `postgres` can create schemas in its project database.
do $$ begin execute format('grant all on database %I to postgres', current_database()); end $$;
