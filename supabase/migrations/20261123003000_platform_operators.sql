-- Platform operators: the people who run this control plane (the seed design's tenant monitor).
-- An operator is a user whose JWT carries `app_metadata.platform_role = 'operator'`. Supabase Auth
-- puts app_metadata in every access token and only the service role can change it (e.g.
-- `supabase.auth.admin.updateUserById(id, { app_metadata: { platform_role: 'operator' } })`), so a
-- user cannot grant it to themselves. Operators read every tenant's status and the organizations'
-- names; they get no connection info and no write access (those stay with owners/admins).

create function public.is_platform_operator() returns boolean
language sql stable
set search_path = ''
as $$ select coalesce(auth.jwt() -> 'app_metadata' ->> 'platform_role', '') = 'operator' $$;
comment on function public.is_platform_operator() is 'True when the caller''s verified JWT has app_metadata.platform_role = operator (set only by the service role through Supabase Auth admin).';
revoke all on function public.is_platform_operator() from public, anon, authenticated;
grant execute on function public.is_platform_operator() to authenticated, service_role;

create policy tenant_databases_select_operator on public.tenant_databases
  for select to authenticated
  using ((select public.is_platform_operator()));
comment on policy tenant_databases_select_operator on public.tenant_databases is 'Platform operators read every tenant''s status, steps and health (same column grants as members: no credentials).';

create policy organizations_select_operator on public.organizations
  for select to authenticated
  using ((select public.is_platform_operator()));
comment on policy organizations_select_operator on public.organizations is 'Platform operators see organization names next to their tenants.';

-- The operator list pages newest first by (created_at, id).
create index if not exists tenant_databases_created_at_id_idx on public.tenant_databases (created_at desc, id desc);
