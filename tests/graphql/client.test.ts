/**
 * The typed frontend client end to end in-process: supabase-js (`createClient` with a `fetch`
 * that plays the Supabase gateway: `/functions/v1/graphql-v2` → the handler at `/graphql-v2`,
 * `/auth/v1/user` → the signed-in user) → `executeGraphQL` → the GraphQL handler → the in-memory
 * services. Every shipped operation round-trips with the user's session token; failures arrive as
 * `GraphQLRequestError`s carrying the server's code. (The lead's e2e test covers the real Deno server.)
 */
import { describe, expect, expectTypeOf, inject, it } from "vitest";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { WebSocket } from "ws";
import {
  CheckTenantHealthDocument, DeprovisionTenantDocument, executeGraphQL, GraphQLRequestError, MyOrganizationsDocument,
  ProvisionTenantDocument, RetryTenantProvisioningDocument, TenantConnectionInfoDocument, TenantDocument, TenantHealthDocument,
  TenantsDocument, type TenantStatus,
} from "../../graphql-v2/client/index.ts";
import { AppError } from "../../supabase/functions/_shared/errors.ts";
import { createHarness, orgs, users, type Harness, type UserName } from "./support.ts";

const SUPABASE_URL = "http://127.0.0.1:54321";
const ACME = orgs.acme.id;
const GLOBEX = orgs.globex.id;
const INITECH = orgs.initech.id;

interface Gateway {
  fetch: typeof fetch;
  seen: { path: string; authorization: string | null; idempotencyKey: string | null }[];
  fail?: boolean;
}

function gateway(h: Harness): Gateway {
  const gw: Gateway = {
    seen: [],
    fetch: async (input, init) => {
      if (gw.fail) throw new TypeError("fetch failed");
      const request = new Request(input, init);
      const url = new URL(request.url);
      if (url.pathname.startsWith("/functions/v1/")) {
        // Like the Supabase gateway: the function sees its own name as the first path segment.
        const inner = new Request(`http://edge-runtime${url.pathname.replace("/functions/v1", "")}${url.search}`, {
          method: request.method, headers: request.headers, body: request.method === "GET" ? undefined : await request.arrayBuffer(),
        });
        gw.seen.push({ path: new URL(inner.url).pathname, authorization: inner.headers.get("authorization"), idempotencyKey: inner.headers.get("idempotency-key") });
        return h.handler(inner);
      }
      if (url.pathname === "/auth/v1/user") {
        const token = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
        const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string; email: string };
        return Response.json({ id: claims.sub, email: claims.email, aud: "authenticated", role: "authenticated", app_metadata: {}, user_metadata: {}, created_at: "2026-01-01T00:00:00Z" });
      }
      return Response.json({ message: "not found" }, { status: 404 });
    },
  };
  return gw;
}

async function signedIn(h: Harness, gw: Gateway, user?: UserName): Promise<SupabaseClient> {
  const supabase = createClient(SUPABASE_URL, inject("keys").publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { fetch: gw.fetch },
    realtime: { transport: WebSocket as never }, // Node 20 has no global WebSocket; realtime is unused here
  });
  if (user) {
    const { error } = await supabase.auth.setSession({ access_token: await h.token(user), refresh_token: "refresh-token-unused-here" });
    if (error) throw error;
  }
  return supabase;
}

async function rejection(promise: Promise<unknown>): Promise<GraphQLRequestError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(GraphQLRequestError);
  return error as GraphQLRequestError;
}

describe("typed client over supabase-js", () => {
  it("round-trips every operation with the user's session", async () => {
    const h = createHarness();
    h.services.addMember(users.owner.id, INITECH, "owner");
    const gw = gateway(h);
    const owner = await signedIn(h, gw, "owner");
    const operator = await signedIn(h, gw, "operator");

    const { tenant } = await executeGraphQL(owner, TenantDocument, { organizationId: ACME });
    expectTypeOf(tenant!.status).toEqualTypeOf<TenantStatus>();
    expect(tenant).toMatchObject({ organizationId: ACME, status: "ACTIVE", progress: 1 });

    const { tenantHealth } = await executeGraphQL(owner, TenantHealthDocument, { organizationId: ACME, trendHours: 6 });
    expect(tenantHealth).toMatchObject({ status: "HEALTHY", trend: [expect.objectContaining({ checks: 12 }), expect.anything()] });

    const { tenantConnectionInfo } = await executeGraphQL(owner, TenantConnectionInfoDocument, { organizationId: ACME });
    expectTypeOf(tenantConnectionInfo.pooledUri).toEqualTypeOf<string>();
    expect(tenantConnectionInfo).toMatchObject({ database: "neondb", sslMode: "REQUIRE" });

    const { myOrganizations } = await executeGraphQL(owner, MyOrganizationsDocument, {});
    expect(myOrganizations.map((o) => [o.name, o.role, o.tenant?.status ?? null])).toEqual([
      ["Acme", "OWNER", "ACTIVE"], ["Globex", "OWNER", "FAILED"], ["Initech", "OWNER", null],
    ]);

    const { tenants } = await executeGraphQL(operator, TenantsDocument, { status: "FAILED", first: 10 });
    expect(tenants.edges.map((e) => e.node.organizationName)).toEqual(["Globex"]);
    expect(tenants.pageInfo.hasNextPage).toBe(false);

    const { provisionTenant } = await executeGraphQL(owner, ProvisionTenantDocument, { input: { organizationId: INITECH, region: "aws-eu-central-1", computeSize: "M" } }, { idempotencyKey: "form-submit-1" });
    expect(provisionTenant).toMatchObject({ created: true, tenant: { status: "PENDING", computeSize: "M" } });

    const { retryTenantProvisioning } = await executeGraphQL(owner, RetryTenantProvisioningDocument, { organizationId: GLOBEX, step: "STORE_CREDENTIALS" });
    expect(retryTenantProvisioning.tenant.status).toBe("PROVISIONING");

    const { checkTenantHealth } = await executeGraphQL(owner, CheckTenantHealthDocument, { organizationId: ACME });
    expect(checkTenantHealth.health.latest?.status).toBe("HEALTHY");

    const { deprovisionTenant } = await executeGraphQL(owner, DeprovisionTenantDocument, { organizationId: ACME, confirm: "Acme" });
    expect(deprovisionTenant.tenant.status).toBe("DEPROVISIONING");

    // Every call went to the function as the signed-in user, at the function's own path.
    expect(gw.seen).toHaveLength(9);
    expect(new Set(gw.seen.map((s) => s.path))).toEqual(new Set(["/graphql-v2"]));
    const ownerToken = `Bearer ${await h.token("owner")}`;
    expect(gw.seen.filter((s) => s.authorization === ownerToken)).toHaveLength(8);
    expect(gw.seen.find((s) => s.idempotencyKey !== null)?.idempotencyKey).toBe("form-submit-1");
    expect(h.services.calls.every((c) => (c.args[0] as { role: string }).role === "authenticated")).toBe(true);
    expect(h.services.calls.find((c) => c.method === "provisionTenant")!.args[2]).toEqual({ idempotencyKey: "form-submit-1" });
  });

  it("rejects with the server's code, field, request id and status", async () => {
    const h = createHarness();
    const gw = gateway(h);
    const owner = await signedIn(h, gw, "owner");

    const invalid = await rejection(executeGraphQL(owner, TenantDocument, { organizationId: "acme" }));
    expect(invalid).toMatchObject({ code: "VALIDATION_FAILED", field: "organizationId", status: 400, requestId: expect.any(String) });
    expect(invalid.errors).toHaveLength(1);

    const forbidden = await rejection(executeGraphQL(await signedIn(h, gw, "member"), TenantConnectionInfoDocument, { organizationId: ACME }));
    expect(forbidden).toMatchObject({ code: "FORBIDDEN", status: 403 });

    await executeGraphQL(owner, CheckTenantHealthDocument, { organizationId: ACME });
    const limited = await rejection(executeGraphQL(owner, CheckTenantHealthDocument, { organizationId: ACME }));
    expect(limited).toMatchObject({ code: "RATE_LIMITED", status: 429, retryAfterSeconds: 30 });

    h.services.failNext("provisionTenant", new AppError("PROVISIONING_FAILED", "Neon is refusing new projects. Try again later."));
    h.services.addMember(users.owner.id, INITECH, "owner");
    const failed = await rejection(executeGraphQL(owner, ProvisionTenantDocument, { input: { organizationId: INITECH, region: "aws-eu-central-1" } }));
    expect(failed).toMatchObject({ code: "PROVISIONING_FAILED", status: 422, message: "Neon is refusing new projects. Try again later." });
  });

  it("without a session the user is anonymous → UNAUTHENTICATED", async () => {
    const h = createHarness();
    const gw = gateway(h);
    const anonymous = await signedIn(h, gw);
    const error = await rejection(executeGraphQL(anonymous, MyOrganizationsDocument, {}));
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", status: 401 });
    expect(gw.seen[0]!.authorization).toBeNull(); // a publishable key is never sent as a bearer
  });

  it("partial results: masked errors reject, with the partial data attached", async () => {
    const h = createHarness();
    const gw = gateway(h);
    const owner = await signedIn(h, gw, "owner");
    h.services.failNext("getTenant", new Error("socket hang up"));
    const error = await rejection(executeGraphQL(owner, TenantDocument, { organizationId: ACME }));
    expect(error).toMatchObject({ code: "INTERNAL", status: 200, data: { tenant: null } });
    expect(error.message).toMatch(/^Unexpected error/);
  });

  it("network failures reject with NETWORK_ERROR", async () => {
    const h = createHarness();
    const gw = gateway(h);
    const owner = await signedIn(h, gw, "owner");
    gw.fail = true;
    const error = await rejection(executeGraphQL(owner, TenantDocument, { organizationId: ACME }));
    expect(error.code).toBe("NETWORK_ERROR");
  });

  it("non-GraphQL gateway errors (e.g. verify_jwt) map to a code by status", async () => {
    const fake = {
      functions: {
        invoke: async () => ({ data: null, error: Object.assign(new Error("non-2xx"), { context: Response.json({ msg: "Invalid JWT" }, { status: 401 }) }), response: undefined }),
      },
    } as unknown as SupabaseClient;
    const error = await rejection(executeGraphQL(fake, MyOrganizationsDocument, {}));
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", status: 401 });
  });
});
