/**
 * The local functions server runs each function under real Deno behind a gateway that behaves like
 * `supabase functions serve`: verify_jwt, CORS preflight, /functions/v1/<name> routing.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from "vitest";
import { supabaseClient } from "../support/supabase-client.ts";
import { startTestFunctions, type TestFunctions } from "../support/functions.ts";
import { userToken } from "../../local/supabase/keys.ts";

let functions: TestFunctions;
// No Neon is called in this file; the functions only need their Neon settings to boot.
const neonEnv = { NEON_API_KEY: "unused", NEON_API_URL: "http://127.0.0.1:9/api/v2" };
beforeAll(async () => { functions = await startTestFunctions({ extraEnv: neonEnv }); }, 180_000);
afterAll(async () => { await functions?.stop(); });

const user = { id: crypto.randomUUID(), email: "someone@example.com" };

describe("local functions server", () => {
  it("invokes graphql-v2 through supabase-js with a user's token", async () => {
    const keys = inject("keys");
    const supabase = supabaseClient(functions.url, keys.anonKey, await userToken(keys, user));
    const { data, error } = await supabase.functions.invoke("graphql-v2", { body: { query: "{ __typename }" } });
    expect(error).toBeNull();
    expect(data).toEqual({ data: { __typename: "Query" } });
  });

  it("refuses a call without a token (verify_jwt)", async () => {
    const response = await fetch(`${functions.url}/functions/v1/graphql-v2`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 401, message: "Missing authorization header" });
  });

  it("lets a secret API key in the apikey header through, as the platform does for cron callers", async () => {
    const keys = inject("keys");
    const ok = await fetch(`${functions.url}/functions/v1/graphql-v2`, { method: "POST", headers: { apikey: keys.secretKey, "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(ok.status).toBe(200);
    const unknown = await fetch(`${functions.url}/functions/v1/graphql-v2`, { method: "POST", headers: { apikey: "sb_secret_not-ours", "content-type": "application/json" }, body: "{}" });
    expect(unknown.status).toBe(401);
  });

  it("refuses a token signed by another key", async () => {
    const { generateLocalKeys } = await import("../../local/supabase/keys.ts");
    const forged = await userToken(await generateLocalKeys(), user);
    const response = await fetch(`${functions.url}/functions/v1/graphql-v2`, { method: "POST", headers: { authorization: `Bearer ${forged}`, "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(401);
  });

  it("answers CORS preflight without a token", async () => {
    const response = await fetch(`${functions.url}/functions/v1/graphql-v2`, { method: "OPTIONS", headers: { origin: "http://localhost:3000", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get("access-control-allow-origin")).toBeTruthy();
  });

  it("restarts a crashed function on the next request", async () => {
    const keys = inject("keys");
    const before = functions.pid("graphql-v2");
    await functions.kill("graphql-v2");
    const response = await fetch(`${functions.url}/functions/v1/graphql-v2`, { method: "POST", headers: { authorization: `Bearer ${keys.anonKey}`, "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(response.status).toBe(200);
    expect(functions.pid("graphql-v2")).not.toBe(before);
  });

  it("answers 404 for an unknown function", async () => {
    const response = await fetch(`${functions.url}/functions/v1/nope`, { method: "POST" });
    expect(response.status).toBe(404);
  });
});

describe("a function that cannot boot", () => {
  it("answers 503 BOOT_ERROR and logs which setting is missing", async () => {
    const bare = await startTestFunctions({ only: ["graphql-v2"] }); // no NEON_API_KEY
    try {
      const keys = inject("keys");
      const response = await fetch(`${bare.url}/functions/v1/graphql-v2`, { method: "POST", headers: { authorization: `Bearer ${keys.anonKey}`, "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: "BOOT_ERROR" });
      expect(bare.logs.some((line) => line.includes("NEON_API_KEY is missing"))).toBe(true);
    } finally {
      await bare.stop();
    }
  }, 60_000);
});
