/**
 * The GraphQL API over the real services and the real registry: RLS decides what each caller sees,
 * lists are batched (queries are counted at the wire), connection info is owner/admin-only and audited.
 * Mutations are covered end to end with the engine in tests/provisioning and tests/health.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from "vitest";
import postgres from "postgres";
import { createAuthenticator } from "../../supabase/functions/_shared/auth.ts";
import { silentLogger } from "../../supabase/functions/_shared/log.ts";
import { createTenantServices, type HealthPort, type ProvisioningPort } from "../../supabase/functions/_shared/services/tenant-services.ts";
import { createGraphQLHandler } from "../../graphql-v2/server.ts";
import { createTokenBucketRateLimiter } from "../../supabase/functions/_shared/rate-limit.ts";
import { signToken, userToken } from "../../local/supabase/keys.ts";
import { createOrg, createUser, createWorld, fakeCredentials, provisionActiveTenant, registryClient, superuserClient, type OrgWorld } from "../registry/fixtures.ts";

let queries = 0;
const sql = postgres(inject("dbUrl"), { prepare: false, max: 4, onnotice: () => {}, debug: () => { queries++; } });
const setup = registryClient();
const unused = () => { throw new Error("mutations are not under test here"); };
const ports = { provisioning: { provision: unused, retry: unused, deprovision: unused } as unknown as ProvisioningPort, health: { checkOrganization: unused } as unknown as HealthPort };
const keys = inject("keys");
const connectionReads = createTokenBucketRateLimiter({ capacity: 3, refillPerSecond: 0.001 });
const handler = createGraphQLHandler({ services: createTenantServices({ sql, ...ports, connectionReads, logger: silentLogger }), authenticate: createAuthenticator({ jwks: keys.jwks, secretKeys: [keys.secretKey] }), logger: silentLogger });

let world: OrgWorld;
const creds = fakeCredentials("graphql-real");

async function gql(token: string | null, query: string, variables: Record<string, unknown> = {}) {
  const response = await handler(new Request("http://localhost/graphql-v2", {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  }));
  return (await response.json()) as { data?: any; errors?: { message: string; extensions: { code: string } }[] };
}
const as = (user: { id: string; email: string }) => userToken(keys, user);

beforeAll(async () => {
  world = await createWorld(setup, "gql-real");
  await provisionActiveTenant(setup, world.org.id, creds.urls);
});
afterAll(async () => { await sql.end(); await setup.end(); });

const TENANT = `query($org: ID!) { tenant(organizationId: $org) { status plan region steps { name state attempts } healthStatus } }`;
const CONNECTION = `query($org: ID!) { tenantConnectionInfo(organizationId: $org) { host database role sslMode directUri pooledUri } }`;

describe("GraphQL over the real registry", () => {
  it("a member sees the tenant's status and steps", async () => {
    const result = await gql(await as(world.member), TENANT, { org: world.org.id });
    expect(result.errors).toBeUndefined();
    expect(result.data.tenant.status).toBe("ACTIVE");
    expect(result.data.tenant.steps).toHaveLength(9);
  });

  it("a member gets FORBIDDEN on connection info (the refusal audited); an owner gets it, audited", async () => {
    const member = await gql(await as(world.member), CONNECTION, { org: world.org.id });
    expect(member.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    expect(JSON.stringify(member)).not.toContain(creds.passwords.app_direct);
    const owner = await gql(await as(world.owner), CONNECTION, { org: world.org.id });
    expect(owner.errors).toBeUndefined();
    expect(owner.data.tenantConnectionInfo.directUri).toBe(creds.urls.app_direct);
    const su = superuserClient();
    const rows = await su`select count(*)::int as n from public.audit_log where organization_id = ${world.org.id} and action = 'connection.read' and entry_point = 'graphql-v2' and actor_user_id = ${world.owner.id}`;
    const denied = await su`select count(*)::int as n from public.audit_log where organization_id = ${world.org.id} and action = 'connection.read_denied' and entry_point = 'graphql-v2' and actor_user_id = ${world.member.id}`;
    await su.end();
    expect(rows[0]!.n).toBe(2);
    expect(denied[0]!.n).toBe(1); // refusals are audited too, as decrypt-connection-string does
  });

  it("connection info reads are rate-limited per user", async () => {
    const token = await as(world.admin);
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) codes.push((await gql(token, CONNECTION, { org: world.org.id })).errors?.[0]?.extensions.code);
    expect(codes).toEqual([undefined, undefined, undefined, "RATE_LIMITED"]);
  });

  it("an outsider and another org's owner see nothing of this organization", async () => {
    for (const user of [world.outsider, world.otherOwner]) {
      const tenant = await gql(await as(user), TENANT, { org: world.org.id });
      expect(tenant.data?.tenant ?? null).toBeNull();
      const info = await gql(await as(user), CONNECTION, { org: world.org.id });
      expect(["FORBIDDEN", "NOT_FOUND"]).toContain(info.errors?.[0]?.extensions.code);
    }
  });

  it("anonymous callers get UNAUTHENTICATED", async () => {
    const result = await gql(null, TENANT, { org: world.org.id });
    expect(result.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
  });

  it("myOrganizations with tenants costs the same number of queries for 1 or 12 organizations", async () => {
    const busy = await createUser(setup, "busy");
    const query = `{ myOrganizations { id name role tenant { status } } }`;
    const token = await as(busy);
    await createOrg(setup, [[busy, "member"]], "busy-0");
    queries = 0;
    const one = await gql(token, query);
    const forOne = queries;
    for (let i = 1; i < 12; i++) await createOrg(setup, [[busy, "member"]], `busy-${i}`);
    queries = 0;
    const twelve = await gql(token, query);
    expect(one.data.myOrganizations).toHaveLength(1);
    expect(twelve.data.myOrganizations).toHaveLength(12);
    expect(forOne).toBeGreaterThan(0);
    expect(queries).toBe(forOne);
  });

  it("tenants(...) is for platform operators only, and pages with a cursor", async () => {
    const denied = await gql(await as(world.owner), `{ tenants(first: 2) { edges { node { id } } } }`);
    expect(denied.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    const operator = await createUser(setup, "operator");
    const token = await signToken(keys.privateJwk, { sub: operator.id, email: operator.email, role: "authenticated", aud: "authenticated", app_metadata: { platform_role: "operator" } });
    const page1 = await gql(token, `{ tenants(first: 1) { edges { cursor node { id organizationId } } pageInfo { hasNextPage endCursor } } }`);
    expect(page1.errors).toBeUndefined();
    expect(page1.data.tenants.edges).toHaveLength(1);
    const after = page1.data.tenants.pageInfo.endCursor;
    const page2 = await gql(token, `query($after: String) { tenants(first: 1, after: $after) { edges { node { id } } } }`, { after });
    expect(page2.data.tenants.edges[0]?.node.id).not.toBe(page1.data.tenants.edges[0].node.id);
    const bad = await gql(token, `{ tenants(first: 1, after: "nonsense") { edges { node { id } } } }`);
    expect(bad.errors?.[0]?.extensions.code).toBe("VALIDATION_FAILED");
    // A cursor shaped like ours but with an id that is no UUID: a coded refusal, never a database error.
    const forged = btoa(`${new Date().toISOString()}|${"-".repeat(36)}`);
    const forgedByOperator = await gql(token, `query($after: String) { tenants(first: 1, after: $after) { edges { node { id } } } }`, { after: forged });
    expect(forgedByOperator.errors?.[0]?.extensions.code).toBe("VALIDATION_FAILED");
    const forgedByOwner = await gql(await as(world.owner), `query($after: String) { tenants(first: 1, after: $after) { edges { node { id } } } }`, { after: forged });
    expect(forgedByOwner.errors?.[0]?.extensions.code).toBe("VALIDATION_FAILED"); // arguments are checked before anything is read
  });

  it("tenantHealth returns the latest check and the hourly trend from the rollups", async () => {
    const su = superuserClient();
    await su`select public.rollup_tenant_health(now() - interval '2 hours')`;
    await su.end();
    const result = await gql(await as(world.member), `query($org: ID!) { tenantHealth(organizationId: $org) { status latest { status latencyMs } trend { checks } } }`, { org: world.org.id });
    expect(result.errors).toBeUndefined();
    expect(result.data.tenantHealth.status).toBe("HEALTHY");
    expect(result.data.tenantHealth.latest.latencyMs).toBe(12);
    expect(result.data.tenantHealth.trend[0].checks).toBeGreaterThanOrEqual(1);
  });
});
