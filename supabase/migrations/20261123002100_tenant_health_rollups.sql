-- Health checker, part 2: hourly rollups of tenant_health_checks (p50/p95 latency, uptime) and
-- retention. Raw checks are kept for a configurable period, then only their hourly aggregates.

create table public.tenant_health_hourly (
  tenant_id uuid not null references public.tenant_databases (id) on delete restrict,
  organization_id uuid not null,
  bucket_start timestamptz not null,
  checks integer not null,
  healthy integer not null,
  degraded integer not null,
  unhealthy integer not null,
  idle integer not null,
  p50_latency_ms double precision,
  p95_latency_ms double precision,
  avg_latency_ms double precision,
  uptime_pct double precision not null,
  worst_status text not null,
  primary key (tenant_id, bucket_start),
  constraint tenant_health_hourly_counts check (checks = healthy + degraded + unhealthy + idle and checks > 0),
  constraint tenant_health_hourly_uptime check (uptime_pct between 0 and 100),
  constraint tenant_health_hourly_worst check (worst_status in ('healthy', 'degraded', 'unhealthy', 'idle'))
);
comment on table public.tenant_health_hourly is 'Hourly aggregates of tenant_health_checks: counts by status, p50/p95/avg latency of probes that measured one, uptime % (checks not unhealthy; an idle compute is up, only scaled to zero), worst status. Written by rollup_tenant_health; members read their organization''s rows.';
create index tenant_health_hourly_org_idx on public.tenant_health_hourly (organization_id, bucket_start desc);

alter table public.tenant_health_hourly enable row level security;
grant select on table public.tenant_health_hourly to authenticated, service_role;
create policy tenant_health_hourly_select_member on public.tenant_health_hourly
  for select to authenticated
  using (organization_id in (select public.org_ids_with_role()));
comment on policy tenant_health_hourly_select_member on public.tenant_health_hourly is 'Members read their organization''s health trend.';

create function public.rollup_tenant_health(p_from timestamptz, p_to timestamptz default now())
returns bigint
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_count bigint;
begin
  if p_from is null or p_to is null or p_to < p_from then
    raise exception 'rollup needs from <= to.' using errcode = 'PT400';
  end if;
  -- Whole hours touching [from, to): a bucket is recomputed from every raw row it still has.
  with agg as (
    select h.tenant_id, min(h.organization_id::text)::uuid as organization_id, date_trunc('hour', h.checked_at) as bucket_start,
           count(*)::int as checks,
           count(*) filter (where h.status = 'healthy')::int as healthy,
           count(*) filter (where h.status = 'degraded')::int as degraded,
           count(*) filter (where h.status = 'unhealthy')::int as unhealthy,
           count(*) filter (where h.status = 'idle')::int as idle,
           percentile_cont(0.5) within group (order by h.latency_ms) as p50,
           percentile_cont(0.95) within group (order by h.latency_ms) as p95,
           avg(h.latency_ms)::float8 as avg_latency,
           100.0 * count(*) filter (where h.status <> 'unhealthy') / count(*) as uptime,
           case when bool_or(h.status = 'unhealthy') then 'unhealthy' when bool_or(h.status = 'degraded') then 'degraded'
                when bool_or(h.status = 'healthy') then 'healthy' else 'idle' end as worst
    from public.tenant_health_checks h
    where h.checked_at >= date_trunc('hour', p_from) and h.checked_at < date_trunc('hour', p_to) + interval '1 hour'
    group by h.tenant_id, date_trunc('hour', h.checked_at)
  ), up as (
    insert into public.tenant_health_hourly as t (tenant_id, organization_id, bucket_start, checks, healthy, degraded, unhealthy, idle,
                                                  p50_latency_ms, p95_latency_ms, avg_latency_ms, uptime_pct, worst_status)
    select tenant_id, organization_id, bucket_start, checks, healthy, degraded, unhealthy, idle, p50, p95, avg_latency, uptime, worst from agg
    on conflict (tenant_id, bucket_start) do update
      set checks = excluded.checks, healthy = excluded.healthy, degraded = excluded.degraded, unhealthy = excluded.unhealthy,
          idle = excluded.idle, p50_latency_ms = excluded.p50_latency_ms, p95_latency_ms = excluded.p95_latency_ms,
          avg_latency_ms = excluded.avg_latency_ms, uptime_pct = excluded.uptime_pct, worst_status = excluded.worst_status
    returning 1
  )
  select count(*) into v_count from up;
  return v_count;
end
$$;
comment on function public.rollup_tenant_health(timestamptz, timestamptz) is 'Recomputes the hourly aggregates of every hour touching [p_from, p_to) from the raw checks. Returns the number of buckets written. service_role only.';
revoke all on function public.rollup_tenant_health(timestamptz, timestamptz) from public, anon, authenticated;
grant execute on function public.rollup_tenant_health(timestamptz, timestamptz) to service_role;

create function public.run_tenant_health_maintenance(
  p_raw_retention interval default interval '7 days',
  p_rollup_retention interval default interval '90 days'
) returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_cutoff timestamptz;
  v_oldest timestamptz;
  v_buckets bigint;
  v_raw bigint;
  v_hourly bigint;
  v_alerts bigint;
begin
  if p_raw_retention is null or p_raw_retention < interval '1 hour' or p_rollup_retention is null or p_rollup_retention < p_raw_retention then
    raise exception 'keep raw checks at least one hour and rollups at least as long as raw checks.' using errcode = 'PT400';
  end if;
  -- Cut on an hour boundary so a bucket is never half-deleted. Roll up what changed since the
  -- previous run (an hour of overlap for late rows); the first run covers every raw row, so
  -- nothing is deleted before it has been rolled up.
  v_cutoff := date_trunc('hour', now() - p_raw_retention);
  select s.last_maintenance_at into v_oldest from public.tenant_health_sweep s where s.id;
  if v_oldest is null then
    select min(checked_at) into v_oldest from public.tenant_health_checks;
  end if;
  v_buckets := public.rollup_tenant_health(least(coalesce(v_oldest, now()), now()) - interval '1 hour', now());
  with gone as (delete from public.tenant_health_checks h where h.checked_at < v_cutoff returning 1) select count(*) into v_raw from gone;
  with gone as (delete from public.tenant_health_hourly h where h.bucket_start < now() - p_rollup_retention returning 1) select count(*) into v_hourly from gone;
  with gone as (delete from public.tenant_health_alerts a where a.created_at < now() - p_rollup_retention and a.delivery_state <> 'pending' returning 1) select count(*) into v_alerts from gone;
  update public.tenant_health_sweep set last_maintenance_at = now() where id;
  return jsonb_build_object('buckets', v_buckets, 'raw_deleted', v_raw, 'hourly_deleted', v_hourly, 'alerts_deleted', v_alerts);
end
$$;
comment on function public.run_tenant_health_maintenance(interval, interval) is 'Rolls raw health checks up into tenant_health_hourly, then deletes raw checks older than p_raw_retention (whole hours), rollups and delivered alerts older than p_rollup_retention. Run by the schedule (pg_cron, or the dev scheduler). service_role only.';
revoke all on function public.run_tenant_health_maintenance(interval, interval) from public, anon, authenticated;
grant execute on function public.run_tenant_health_maintenance(interval, interval) to service_role;
