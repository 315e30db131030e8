-- Health checker, part 3: the schedule. pg_cron posts to the check-tenant-health function every
-- 30 seconds (one sweep step; a pass too large for one call continues in the next) and to
-- provision-tenant-resources/resume every minute, through pg_net, with the project URL and a
-- secret API key read from Vault at run time (nothing secret is stored in cron.job). Rollups and
-- retention run as plain SQL every 5 minutes.
--
-- The operator stores, once per project (and per branch), before or after this migration:
--   select vault.create_secret('https://<project-ref>.supabase.co', 'project_url');
--   select vault.create_secret('sb_secret_…', 'health_check_secret_key');
-- Where pg_cron or pg_net is not installed (local stand-in, tests), this migration only raises a
-- notice; enable both extensions and re-run the block below (it is idempotent: cron.schedule
-- replaces jobs of the same name).

create function private.health_schedule_request(p_path text, p_body jsonb default '{}'::jsonb) returns bigint
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_url text;
  v_key text;
begin
  select decrypted_secret into v_url from vault.decrypted_secrets where name = 'project_url';
  select decrypted_secret into v_key from vault.decrypted_secrets where name = 'health_check_secret_key';
  if v_url is null or v_key is null then
    raise warning 'Vault secrets project_url and health_check_secret_key are needed for %: see migration 20261123002200.', p_path;
    return null;
  end if;
  -- pg_net's 2 s default times out cold functions (pg_net#74); the secret key goes in `apikey`.
  return net.http_post(
    url := rtrim(v_url, '/') || '/functions/v1/' || p_path,
    headers := jsonb_build_object('Content-Type', 'application/json', 'apikey', v_key),
    body := coalesce(p_body, '{}'::jsonb),
    timeout_milliseconds := 5000
  );
end
$$;
comment on function private.health_schedule_request(text, jsonb) is 'pg_cron job body: POSTs to a function path with the secret key from Vault (project_url, health_check_secret_key). Compiled lazily, so it exists even where pg_net does not.';
revoke all on function private.health_schedule_request(text, jsonb) from public;

do $schedule$
begin
  if not exists (select 1 from pg_extension where extname = 'pg_cron')
     or not exists (select 1 from pg_extension where extname = 'pg_net') then
    raise notice 'pg_cron and/or pg_net are not installed: health and provisioning schedules not created (enable both, then re-run the cron.schedule calls of migration 20261123002200).';
    return;
  end if;
  perform cron.schedule('check-tenant-health', '30 seconds', $job$ select private.health_schedule_request('check-tenant-health', '{"mode":"sweep"}') $job$);
  perform cron.schedule('provision-tenant-resources-resume', '* * * * *', $job$ select private.health_schedule_request('provision-tenant-resources/resume') $job$);
  perform cron.schedule('tenant-health-maintenance', '*/5 * * * *', $job$ select public.run_tenant_health_maintenance(interval '7 days', interval '90 days') $job$);
  -- cron.job_run_details is never cleaned by pg_cron itself: two jobs every 30–60 s add ~4000 rows a day.
  perform cron.schedule('cron-run-details-retention', '17 3 * * *', $job$ delete from cron.job_run_details where end_time < now() - interval '3 days' $job$);
end
$schedule$;
