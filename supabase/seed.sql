-- Demo data for local development (never deployed). Applied by applySeed() as the superuser after
-- the migrations, on every `npm run dev`: idempotent (on conflict do nothing), deterministic ids.
-- The same ids and emails are exported by local/supabase/demo-users.ts; keep both in step.
--
--   user id                               email                 role
--   00000000-0000-4000-8000-00000000d001  owner@example.com     owner of acme
--   00000000-0000-4000-8000-00000000d002  admin@example.com     admin of acme
--   00000000-0000-4000-8000-00000000d003  member@example.com    member of acme
--   00000000-0000-4000-8000-00000000d004  outsider@example.com  owner of globex, nothing in acme
--
--   organization id                       slug    name         plan
--   00000000-0000-4000-8000-00000000a001  acme    Acme Inc.    starter
--   00000000-0000-4000-8000-00000000a002  globex  Globex Corp  free
--
-- Users have no password: `npm run dev` prints an access token for each. No tenant databases:
-- request provisioning as owner or admin to create one.

insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
values
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000d001', 'authenticated', 'authenticated', 'owner@example.com', now(),
   '{"provider": "email", "providers": ["email"]}', '{"name": "Olivia Owner"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000d002', 'authenticated', 'authenticated', 'admin@example.com', now(),
   '{"provider": "email", "providers": ["email"]}', '{"name": "Adam Admin"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000d003', 'authenticated', 'authenticated', 'member@example.com', now(),
   '{"provider": "email", "providers": ["email"]}', '{"name": "Mia Member"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000d004', 'authenticated', 'authenticated', 'outsider@example.com', now(),
   '{"provider": "email", "providers": ["email"]}', '{"name": "Otto Outsider"}')
on conflict do nothing;

insert into public.organizations (id, slug, name, plan, created_by)
values
  ('00000000-0000-4000-8000-00000000a001', 'acme', 'Acme Inc.', 'starter', '00000000-0000-4000-8000-00000000d001'),
  ('00000000-0000-4000-8000-00000000a002', 'globex', 'Globex Corp', 'free', '00000000-0000-4000-8000-00000000d004')
on conflict do nothing;

insert into public.organization_members (organization_id, user_id, role)
values
  ('00000000-0000-4000-8000-00000000a001', '00000000-0000-4000-8000-00000000d001', 'owner'),
  ('00000000-0000-4000-8000-00000000a001', '00000000-0000-4000-8000-00000000d002', 'admin'),
  ('00000000-0000-4000-8000-00000000a001', '00000000-0000-4000-8000-00000000d003', 'member'),
  ('00000000-0000-4000-8000-00000000a002', '00000000-0000-4000-8000-00000000d004', 'owner')
on conflict do nothing;
