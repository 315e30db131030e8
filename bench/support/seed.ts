/**
 * Benchmark data for the read paths: `count` owners, each with an organization, an active tenant
 * and 48 health checks (every 30 minutes) rolled up hourly. Loaded as the superuser.
 */
import postgres from "postgres";

export interface BenchOwner { id: string; email: string; org: string }

export async function seedHealthReaders(superuserUrl: string, count: number): Promise<BenchOwner[]> {
  const su = postgres(superuserUrl, { max: 4, onnotice: () => {} });
  const users = Array.from({ length: count }, (_, i) => ({ id: crypto.randomUUID(), email: `owner${i}@bench.test`, org: crypto.randomUUID() }));
  await su`insert into auth.users ${su(users.map((u) => ({ id: u.id, email: u.email, aud: "authenticated", role: "authenticated" })))}`;
  await su`insert into public.organizations ${su(users.map((u, i) => ({ id: u.org, slug: `bench-${i}`, name: `Bench ${i}`, plan: "starter" })))}`;
  await su`insert into public.organization_members ${su(users.map((u) => ({ organization_id: u.org, user_id: u.id, role: "owner" })))}`;
  // Tenants and their health history are bulk-loaded as the superuser: the benchmark measures reads.
  await su.unsafe(`
    alter table public.tenant_databases disable trigger user;
    insert into public.tenant_databases (organization_id, region, plan, compute_size, strategy, status, health_status, last_health_check_at)
      select id, 'aws-us-east-2', 'starter', 's', 'project', 'active', 'healthy', now() from public.organizations where slug like 'bench-%';
    alter table public.tenant_databases enable trigger user;
    insert into public.tenant_health_checks (tenant_id, organization_id, checked_at, status, latency_ms, checks, source)
      select t.id, t.organization_id, now() - (g * interval '30 minutes'), 'healthy', 5 + (g % 7), '{}'::jsonb, 'scheduled'
      from public.tenant_databases t, generate_series(0, 47) g;`);
  await su`select public.rollup_tenant_health(now() - interval '25 hours')`;
  await su`analyze`;
  await su.end();
  return users;
}
