/**
 * The GraphQL layer's failure modes, in-process through `createGraphQLHandler` with in-memory
 * services and real access tokens: every bad request gets a 4xx GraphQL error with a stable
 * `extensions.code` and the request id, never a 500 or a stack trace; unexpected errors are
 * masked and logged with the request id.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../../supabase/functions/_shared/errors.ts";
import { createHarness, onlyError, orgs, toGraphQLResponse, URL_BASE, users, type GraphQLResponse } from "./support.ts";
import { TenantDocument, MyOrganizationsDocument } from "../../graphql-v2/client/index.ts";

const ACME = orgs.acme.id;

/** No stack traces, file paths or internal error names in anything we send. */
function expectNoLeak(response: GraphQLResponse) {
  expect(response.text).not.toMatch(/\bat .+:\d+:\d+|\.ts:\d+|stack|originalError|node_modules/i);
}

function expectCoded(response: GraphQLResponse, status: number, code: string, field?: string) {
  expect(response.status).toBe(status);
  const error = onlyError(response);
  expect(error.extensions.code).toBe(code);
  expect(error.extensions.requestId).toEqual(expect.any(String));
  if (field !== undefined) expect(error.extensions.field).toBe(field);
  expectNoLeak(response);
  return error;
}

async function raw(handler: (r: Request) => Promise<Response>, init: RequestInit & { url?: string }) {
  return toGraphQLResponse(await handler(new Request(init.url ?? URL_BASE, init)));
}

describe("graphql-v2: malformed requests", () => {
  const h = createHarness();

  it("unparsable JSON body → 400 VALIDATION_FAILED", async () => {
    const response = await raw(h.handler, { method: "POST", headers: { "content-type": "application/json" }, body: "{\"query\": " });
    expectCoded(response, 400, "VALIDATION_FAILED", "request");
  });

  it("a query that does not parse → 400 VALIDATION_FAILED (field query)", async () => {
    expectCoded(await h.post("{ tenant(organizationId: ", {}, { as: "owner" }), 400, "VALIDATION_FAILED", "query");
  });

  it("no query at all → 400 VALIDATION_FAILED", async () => {
    const response = await raw(h.handler, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ variables: {} }) });
    expectCoded(response, 400, "VALIDATION_FAILED");
  });

  it("a body that is not an object (array of numbers, string) → 400", async () => {
    for (const body of ["\"hello\"", "42", "null"]) {
      const response = await raw(h.handler, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(response.status).toBe(400);
      expect(onlyError(response).extensions.code).toBe("VALIDATION_FAILED");
    }
  });

  it("unknown fields → 400 VALIDATION_FAILED without schema hints when introspection is off", async () => {
    const error = expectCoded(await h.post("{ tenantz(organizationId: \"x\") { id } }", {}, { as: "owner" }), 400, "VALIDATION_FAILED", "query");
    expect(error.message).toContain("Cannot query field \"tenantz\"");
    expect(error.message).not.toContain("Did you mean");
  });

  it("a literal of the wrong type → 400 VALIDATION_FAILED", async () => {
    expectCoded(await h.post("{ tenantHealth(organizationId: \"" + ACME + "\", trendHours: \"many\") { status } }", {}, { as: "owner" }), 400, "VALIDATION_FAILED", "query");
  });

  it("a variable of the wrong type → 400 VALIDATION_FAILED naming the variable path", async () => {
    const response = await h.post(TenantDocument.toString(), { organizationId: { nested: true } }, { as: "owner" });
    expectCoded(response, 400, "VALIDATION_FAILED", "organizationId");
    const input = await h.post("mutation ($input: ProvisionTenantInput!) { provisionTenant(input: $input) { created } }",
      { input: { organizationId: ACME, region: 5 } }, { as: "owner" });
    expectCoded(input, 400, "VALIDATION_FAILED", "input.region");
    const missing = await h.post(TenantDocument.toString(), {}, { as: "owner" });
    expectCoded(missing, 400, "VALIDATION_FAILED", "organizationId");
  });

  it("an unknown enum value → 400 VALIDATION_FAILED", async () => {
    const response = await h.post("query ($s: TenantStatus) { tenants(status: $s) { totalCount } }", { s: "EXPLODED" }, { as: "operator" });
    expectCoded(response, 400, "VALIDATION_FAILED", "s");
  });

  it("a mutation over GET → 405 METHOD_NOT_ALLOWED", async () => {
    const query = encodeURIComponent(`mutation { checkTenantHealth(organizationId: "${ACME}") { health { status } } }`);
    const response = await raw(h.handler, { url: `${URL_BASE}?query=${query}`, method: "GET", headers: { authorization: `Bearer ${await h.token("owner")}` } });
    expectCoded(response, 405, "METHOD_NOT_ALLOWED");
    expect(h.services.count("checkHealth")).toBe(0);
  });

  it("a query over GET works", async () => {
    const response = await raw(h.handler, { url: `${URL_BASE}?query=${encodeURIComponent("{ __typename }")}`, method: "GET" });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ __typename: "Query" });
  });

  it("a content type we do not parse → 415 with a GraphQL error body", async () => {
    const response = await raw(h.handler, { method: "POST", headers: { "content-type": "text/plain" }, body: "{ __typename }" });
    expectCoded(response, 415, "VALIDATION_FAILED");
  });

  it("another path → 404 NOT_FOUND", async () => {
    const response = await raw(h.handler, { url: "http://localhost/graphql-v3", method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expectCoded(response, 404, "NOT_FOUND");
  });

  it("application/graphql-response+json clients get the same 4xx codes", async () => {
    const response = await raw(h.handler, {
      method: "POST", headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({ query: "{ nope }" }),
    });
    expectCoded(response, 400, "VALIDATION_FAILED", "query");
  });
});

describe("graphql-v2: limits", () => {
  const h = createHarness({ maxDepth: 4, maxCost: 200, maxAliases: 3, maxTokens: 200, maxBatch: 2, maxBodyBytes: 2048 });

  it("too deep → 400 VALIDATION_FAILED (limit depth)", async () => {
    const query = `{ tenants { edges { node { steps { error { code } } } } } }`;
    const error = expectCoded(await h.post(query, {}, { as: "operator" }), 400, "VALIDATION_FAILED", "query");
    expect(error.extensions).toMatchObject({ limit: "depth", max: 4 });
    expect(h.services.count("listTenants")).toBe(0);
  });

  it("fragments do not hide depth", async () => {
    const query = `query { tenants { edges { node { ...T } } } } fragment T on Tenant { steps { error { code } } }`;
    const error = expectCoded(await h.post(query, {}, { as: "operator" }), 400, "VALIDATION_FAILED", "query");
    expect(error.extensions.limit).toBe("depth");
  });

  it("too costly → 400 VALIDATION_FAILED (limit cost)", async () => {
    const fields = "id organizationId organizationName status plan region computeSize strategy progress createdAt updatedAt";
    const query = `{ tenants(first: 50) { edges { node { ${fields} } } } }`;
    const error = expectCoded(await h.post(query, {}, { as: "operator" }), 400, "VALIDATION_FAILED", "query");
    expect(error.extensions).toMatchObject({ limit: "cost", max: 200 });
  });

  it("too many aliases → 400 VALIDATION_FAILED (limit aliases)", async () => {
    const query = `{ a: __typename b: myOrganizations { id } c: myOrganizations { id } d: myOrganizations { id } e: myOrganizations { id } }`;
    const error = expectCoded(await h.post(query, {}, { as: "owner" }), 400, "VALIDATION_FAILED", "query");
    expect(error.extensions).toMatchObject({ limit: "aliases", max: 3 });
    expect(h.services.count("myOrganizations")).toBe(0);
  });

  it("too many tokens → 400 VALIDATION_FAILED (limit tokens)", async () => {
    const query = `{ myOrganizations { ${Array.from({ length: 250 }, () => "id").join(" ")} } }`;
    const error = expectCoded(await h.post(query, {}, { as: "owner" }), 400, "VALIDATION_FAILED", "query");
    expect(error.extensions).toMatchObject({ limit: "tokens", max: 200 });
  });

  it("a body over the cap (declared) → 413 PAYLOAD_TOO_LARGE before parsing", async () => {
    const body = JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(4000) } });
    const response = await raw(h.handler, { method: "POST", headers: { "content-type": "application/json", "content-length": String(body.length) }, body });
    expectCoded(response, 413, "PAYLOAD_TOO_LARGE");
  });

  /** A POST whose body streams ten 1 KiB chunks; `pulled()` tells how many the handler read. */
  function streamedPost(headers: Record<string, string>): { request: Request; pulled: () => number } {
    const chunk = new TextEncoder().encode("x".repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const request = new Request(URL_BASE, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, duplex: "half" } as RequestInit);
    return { request, pulled: () => sent };
  }

  it("a streamed body over the cap (no content-length) → 413 PAYLOAD_TOO_LARGE", async () => {
    const { request, pulled } = streamedPost({});
    expect(request.headers.get("content-length")).toBeNull();
    expectCoded(await toGraphQLResponse(await h.handler(request)), 413, "PAYLOAD_TOO_LARGE");
    expect(pulled()).toBeLessThan(10); // stopped reading early
  });

  it("a small Content-Length next to Transfer-Encoding does not let a large body through → 413", async () => {
    const { request } = streamedPost({ "content-length": "20", "transfer-encoding": "chunked" });
    expectCoded(await toGraphQLResponse(await h.handler(request)), 413, "PAYLOAD_TOO_LARGE");
  });

  it("a URL over the cap (GET) → 413 PAYLOAD_TOO_LARGE", async () => {
    const response = await raw(h.handler, { url: `${URL_BASE}?query=${"%20".repeat(1000)}{__typename}`, method: "GET" });
    expectCoded(response, 413, "PAYLOAD_TOO_LARGE");
  });

  it("a batch larger than maxBatch → 413 PAYLOAD_TOO_LARGE (limit batch), nothing executed", async () => {
    const body = JSON.stringify([1, 2, 3].map(() => ({ query: "{ myOrganizations { id } }" })));
    const response = await raw(h.handler, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("owner")}` }, body });
    const error = expectCoded(response, 413, "PAYLOAD_TOO_LARGE");
    expect(error.extensions).toMatchObject({ limit: "batch", max: 2 });
    expect(h.services.count("myOrganizations")).toBe(0);
  });

  it("a batch within the cap runs every operation", async () => {
    const body = JSON.stringify([{ query: "{ __typename }" }, { query: "{ myOrganizations { name } }" }]);
    const response = await h.handler(new Request(URL_BASE, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("owner")}` }, body }));
    expect(response.status).toBe(200);
    const results = await response.json() as { data: unknown }[];
    expect(results).toEqual([{ data: { __typename: "Query" } }, { data: { myOrganizations: [{ name: "Acme" }, { name: "Globex" }, { name: "Initech" }] } }]);
  });

  it("batching off (maxBatch 1) → 400 VALIDATION_FAILED", async () => {
    const single = createHarness({ maxBatch: 1 });
    const response = await raw(single.handler, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ query: "{ __typename }" }]) });
    expectCoded(response, 400, "VALIDATION_FAILED");
  });

  it("the shipped operations pass the default limits", async () => {
    const defaults = createHarness();
    const response = await defaults.post(MyOrganizationsDocument.toString(), {}, { as: "owner" });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  });
});

describe("graphql-v2: authentication", () => {
  const h = createHarness();

  it("anonymous callers may ask for __typename only", async () => {
    const response = await h.post("{ __typename }");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { __typename: "Query" } });
  });

  it("anonymous → 401 UNAUTHENTICATED, service not called", async () => {
    const error = expectCoded(await h.post(TenantDocument.toString(), { organizationId: ACME }), 401, "UNAUTHENTICATED");
    expect(error.path).toEqual(["tenant"]);
    expect(h.services.calls).toHaveLength(0);
  });

  it("the project's anon key (a JWT with role anon) is anonymous too", async () => {
    const keys = (await import("vitest")).inject("keys");
    const response = await h.post(TenantDocument.toString(), { organizationId: ACME }, { headers: { authorization: `Bearer ${keys.anonKey}` } });
    expectCoded(response, 401, "UNAUTHENTICATED");
  });

  it("an invalid or expired token → 401 UNAUTHENTICATED, even for __typename", async () => {
    const forged = `${(await h.token("owner")).slice(0, -4)}AAAA`;
    expectCoded(await h.post("{ __typename }", {}, { headers: { authorization: `Bearer ${forged}` } }), 401, "UNAUTHENTICATED");
    expectCoded(await h.post("{ __typename }", {}, { headers: { authorization: "Bearer not-a-jwt" } }), 401, "UNAUTHENTICATED");
    const keys = (await import("vitest")).inject("keys");
    const { userToken } = await import("../../local/supabase/keys.ts");
    const expired = await userToken(keys, users.owner, -60);
    expectCoded(await h.post("{ __typename }", {}, { headers: { authorization: `Bearer ${expired}` } }), 401, "UNAUTHENTICATED");
  });

  it("a service caller (secret key) → 403 FORBIDDEN: this API acts for users", async () => {
    const keys = (await import("vitest")).inject("keys");
    expectCoded(await h.post(TenantDocument.toString(), { organizationId: ACME }, { headers: { apikey: keys.secretKey } }), 403, "FORBIDDEN");
  });
});

describe("graphql-v2: unexpected errors", () => {
  it("are masked (no message, no stack), carry the request id, and are logged with it and the cause", async () => {
    const h = createHarness();
    h.services.failNext("getTenant", new Error("connection to postgresql://admin:hunter2@10.0.0.7/registry refused"));
    const response = await h.post(TenantDocument.toString(), { organizationId: ACME }, { as: "owner", headers: { "x-request-id": "req-123" } });
    expect(response.status).toBe(200); // partial result: `tenant` is nullable
    expect(response.body.data).toEqual({ tenant: null });
    const error = onlyError(response);
    expect(error.extensions).toEqual({ code: "INTERNAL", requestId: "req-123" });
    expect(error.message).toMatch(/^Unexpected error/);
    expect(response.text).not.toContain("10.0.0.7");
    expect(response.text).not.toContain("hunter2");
    expectNoLeak(response);
    expect(response.headers.get("x-request-id")).toBe("req-123");
    const logged = h.logs.filter((line) => line.level === "error");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ message: "unexpected error", requestId: "req-123", path: "tenant" });
    expect(JSON.stringify(logged[0])).toContain("10.0.0.7/registry refused");
    expect(JSON.stringify(h.logs)).not.toContain("hunter2"); // log.ts redacts connection-string passwords
  });

  it("a value the schema cannot represent (bad enum from a service) is INTERNAL, not a leak", async () => {
    const h = createHarness();
    const tenant = h.services.tenants.get(ACME)!;
    h.services.tenants.set(ACME, { ...tenant, status: "archived" as never });
    const response = await h.post(TenantDocument.toString(), { organizationId: ACME }, { as: "owner" });
    const error = onlyError(response);
    expect(error.extensions.code).toBe("INTERNAL");
    expect(response.text).not.toContain("archived");
    expect(h.logs.some((line) => line.level === "error" && line.path === "tenant.status")).toBe(true);
  });

  it("an AppError INTERNAL is masked too", async () => {
    const h = createHarness();
    h.services.failNext("myOrganizations", new AppError("INTERNAL", "secret detail"));
    const response = await h.post(MyOrganizationsDocument.toString(), {}, { as: "owner" });
    expect(onlyError(response).extensions.code).toBe("INTERNAL");
    expect(response.text).not.toContain("secret detail");
  });

  it("a failure in authentication itself → 500 INTERNAL, masked", async () => {
    const services = new (await import("./support.ts")).FakeServices();
    const { createGraphQLHandler } = await import("../../graphql-v2/server.ts");
    const logs: string[] = [];
    const { createLogger } = await import("../../supabase/functions/_shared/log.ts");
    const handler = createGraphQLHandler({
      services, logger: createLogger({}, (l) => logs.push(l)),
      authenticate: async () => { throw new TypeError("jwks fetch exploded at /etc/keys"); },
    });
    const response = await toGraphQLResponse(await handler(new Request(URL_BASE, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) })));
    expect(response.status).toBe(500);
    expect(onlyError(response).extensions.code).toBe("INTERNAL");
    expect(response.text).not.toContain("jwks");
    expect(logs.join("\n")).toContain("jwks fetch exploded");
  });
});

describe("graphql-v2: HTTP surface", () => {
  it("answers CORS preflight with the shared headers", async () => {
    const h = createHarness();
    const response = await h.handler(new Request(URL_BASE, { method: "OPTIONS", headers: { origin: "https://app.example.com", "access-control-request-method": "POST" } }));
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(response.headers.get("access-control-allow-headers")).toContain("idempotency-key");
  });

  it("every response carries CORS, no-store and the request id", async () => {
    const h = createHarness();
    for (const response of [await h.post("{ __typename }"), await h.post("{ nope }")]) {
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("x-request-id")).toMatch(/^[\w-]+$/);
      expect(response.headers.get("x-request-id")).toBe(response.body.errors?.[0]?.extensions.requestId ?? response.headers.get("x-request-id"));
    }
  });

  it("answers at /graphql-v2 (what the Supabase gateway passes on) and at /functions/v1/graphql-v2", async () => {
    const h = createHarness();
    for (const url of [URL_BASE, "http://localhost/functions/v1/graphql-v2", `${URL_BASE}/`]) {
      const response = await raw(h.handler, { url, method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
      expect([url, response.status, response.body]).toEqual([url, 200, { data: { __typename: "Query" } }]);
    }
  });

  it("introspection is refused unless enabled", async () => {
    const off = createHarness();
    const refused = await off.post("{ __schema { queryType { name } } }", {}, { as: "owner" });
    expect(refused.status).toBe(400);
    expect(onlyError(refused).extensions.code).toBe("VALIDATION_FAILED");
    const typeQuery = await off.post("{ __type(name: \"Tenant\") { name } }", {}, { as: "owner" });
    expect(typeQuery.status).toBe(400);
    const on = createHarness({ introspection: true });
    const allowed = await on.post("{ __schema { queryType { name } } }", {}, { as: "owner" });
    expect(allowed.body).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
    const hinted = await on.post("{ tenantz }", {}, { as: "owner" });
    expect(onlyError(hinted).message).toContain("Did you mean");
  });

  it("GraphiQL is served only when enabled", async () => {
    const browser = { method: "GET", headers: { accept: "text/html" } };
    const off = await createHarness().handler(new Request(URL_BASE, browser));
    expect(off.headers.get("content-type") ?? "").not.toContain("text/html");
    expect(off.status).toBeGreaterThanOrEqual(400);
    const on = await createHarness({ graphiql: true, introspection: true }).handler(new Request(URL_BASE, browser));
    expect(on.status).toBe(200);
    expect(on.headers.get("content-type")).toContain("text/html");
    expect(await on.text()).toContain("graphiql");
  });
});
