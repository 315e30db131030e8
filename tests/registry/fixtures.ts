/**
 * Fixtures for registry tests: random users and organizations (so files run in parallel against
 * the one shared database), tenants driven through the real state machine as service_role, and
 * callers for withCaller. Setup runs as `postgres` (bypasses RLS) or as service_role; the code
 * under test always acts through withCaller.
 */
import { inject } from "vitest";
import postgres from "postgres";
import { randomBytes } from "node:crypto";
import { asService, createSqlClient, type Sql } from "../../supabase/functions/_shared/db.ts";
import type { Caller } from "../../supabase/functions/_shared/auth.ts";
import { PROVISIONING_STEPS, type CredentialKind, CREDENTIAL_KINDS } from "../../supabase/functions/_shared/registry/types.ts";
import { claimTenantForProvisioning, recordProvisioningStep, requestTenantProvisioning, transitionTenantStatus } from "../../supabase/functions/_shared/registry/tenants.ts";
import { storeTenantCredentials } from "../../supabase/functions/_shared/registry/credentials.ts";
import { recordHealthCheck } from "../../supabase/functions/_shared/registry/health.ts";

export interface TestUser { id: string; email: string }

/** The registry client as the edge functions have it (`createSqlClient`: postgres role, prepared statements). */
export function registryClient(max = 4): Sql {
  return createSqlClient(inject("dbUrl"), { max, applicationName: "registry-tests" });
}

export function superuserClient(): Sql {
  return postgres(inject("superuserUrl"), { max: 1, prepare: false, onnotice: () => {} });
}

export const anonCaller: Caller = { role: "anon", claims: { role: "anon" } };
export const serviceCaller: Caller = { role: "service_role", claims: { role: "service_role" } };
export function userCaller(user: TestUser): Caller {
  return { role: "authenticated", userId: user.id, claims: { sub: user.id, email: user.email, role: "authenticated", aud: "authenticated" } };
}

export const uniqueSlug = (label: string) => `${label}-${randomBytes(5).toString("hex")}`;

/** Inserts a user into auth.users (as service_role, which owns that table's grants). */
export async function createUser(sql: Sql, label: string): Promise<TestUser> {
  const user = { id: crypto.randomUUID(), email: `${label}-${randomBytes(4).toString("hex")}@test.example` };
  await asService(sql, (tx) => tx`insert into auth.users (id, email, aud, role) values (${user.id}, ${user.email}, 'authenticated', 'authenticated')`);
  return user;
}

/** An organization with the given members, inserted as `postgres` (fixtures bypass RLS). */
export async function createOrg(sql: Sql, members: Array<[TestUser, "owner" | "admin" | "member"]>, label = "org", plan = "starter"): Promise<{ id: string; slug: string }> {
  const org = { id: crypto.randomUUID(), slug: uniqueSlug(label) };
  await sql`insert into public.organizations (id, slug, name, plan, created_by) values (${org.id}, ${org.slug}, ${`Test ${label}`}, ${plan}, ${members[0]?.[0].id ?? null})`;
  for (const [user, role] of members) {
    await sql`insert into public.organization_members (organization_id, user_id, role) values (${org.id}, ${user.id}, ${role})`;
  }
  return org;
}

export interface OrgWorld {
  org: { id: string; slug: string };
  otherOrg: { id: string; slug: string };
  owner: TestUser;
  admin: TestUser;
  member: TestUser;
  /** A user with no membership anywhere. */
  outsider: TestUser;
  /** Owner of `otherOrg` only. */
  otherOwner: TestUser;
}

export async function createWorld(sql: Sql, label = "acme"): Promise<OrgWorld> {
  const [owner, admin, member, outsider, otherOwner] = await Promise.all(
    ["owner", "admin", "member", "outsider", "other-owner"].map((role) => createUser(sql, `${label}-${role}`)),
  );
  const org = await createOrg(sql, [[owner!, "owner"], [admin!, "admin"], [member!, "member"]], label);
  const otherOrg = await createOrg(sql, [[otherOwner!, "owner"]], `${label}-other`);
  return { org, otherOrg, owner: owner!, admin: admin!, member: member!, outsider: outsider!, otherOwner: otherOwner! };
}

/** Neon-like connection strings with a unique password each (so scans can look for it). */
export function fakeCredentials(label: string): { passwords: Record<CredentialKind, string>; urls: Record<CredentialKind, string> } {
  const passwords = {} as Record<CredentialKind, string>;
  const urls = {} as Record<CredentialKind, string>;
  const endpoint = `ep-${label}-${randomBytes(4).toString("hex")}`;
  for (const kind of CREDENTIAL_KINDS) {
    const password = `npg_${randomBytes(12).toString("hex")}`;
    const user = kind.startsWith("owner") ? "neondb_owner" : "tenant_app";
    const host = kind.endsWith("pooled") ? `${endpoint}-pooler.eu-central-1.aws.neon.tech` : `${endpoint}.eu-central-1.aws.neon.tech`;
    passwords[kind] = password;
    urls[kind] = `postgresql://${user}:${password}@${host}/neondb?sslmode=require&channel_binding=require`;
  }
  return { passwords, urls };
}

/**
 * Drives a tenant of `organizationId` through every step to `active` as a worker would, storing
 * `urls` during store_credentials and one health check. Returns the tenant id.
 */
export async function provisionActiveTenant(sql: Sql, organizationId: string, urls: Partial<Record<CredentialKind, string>>, workerId = `worker-${randomBytes(3).toString("hex")}`, region = "aws-eu-central-1"): Promise<string> {
  const { tenantId } = await asService(sql, (tx) => requestTenantProvisioning(tx, { organizationId, region, plan: "starter", computeSize: "s" }, { entryPoint: "tests" }));
  await asService(sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId, leaseSeconds: 300 }));
  for (const step of PROVISIONING_STEPS) {
    if (step === "claim" || step === "activate") continue;
    await asService(sql, async (tx) => {
      await recordProvisioningStep(tx, { tenantId, step, state: "running", workerId });
      if (step === "store_credentials") {
        for (const [kind, url] of Object.entries(urls)) await storeTenantCredentials(tx, { tenantId, kind: kind as CredentialKind, connectionString: url, workerId });
      }
      if (step === "first_health_check") await recordHealthCheck(tx, { tenantId, status: "healthy", latencyMs: 12, checks: { connectivity: { ok: true } }, source: "provisioning" });
      await recordProvisioningStep(tx, { tenantId, step, state: "succeeded", workerId, details: { note: `${step} done` } });
    });
  }
  await asService(sql, (tx) => transitionTenantStatus(tx, { tenantId, from: "provisioning", to: "active", workerId, reason: "all steps succeeded" }));
  return tenantId;
}

/** A tenant that stays `pending` (requested, never claimed). */
export async function requestPendingTenant(sql: Sql, organizationId: string, region = "aws-us-east-2"): Promise<string> {
  const { tenantId } = await asService(sql, (tx) => requestTenantProvisioning(tx, { organizationId, region, plan: "free", computeSize: "xs" }, { entryPoint: "tests" }));
  return tenantId;
}

/**
 * A region name no other test uses: claim_next_tenant filtered by it only sees this test's
 * tenants (test files share one database and must not claim each other's work).
 */
export const uniqueRegion = () => `test-${randomBytes(5).toString("hex")}`;

/** Captures a logger's JSON lines. */
export function captureLines(): { lines: string[]; write: (line: string) => void } {
  const lines: string[] = [];
  return { lines, write: (line) => lines.push(line) };
}
