/**
 * decrypt-connection-string end to end: the real Deno function behind the local gateway, called as
 * a frontend would with supabase-js and a user's access token.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from "vitest";
import { startTestFunctions, type TestFunctions } from "../support/functions.ts";
import { supabaseClient } from "../support/supabase-client.ts";
import { userToken } from "../../local/supabase/keys.ts";
import { createWorld, fakeCredentials, provisionActiveTenant, registryClient, superuserClient, type OrgWorld } from "./fixtures.ts";

const sql = registryClient();
let functions: TestFunctions;
let world: OrgWorld;
const creds = fakeCredentials("deno-e2e");

beforeAll(async () => {
  world = await createWorld(sql, "decrypt-e2e");
  await provisionActiveTenant(sql, world.org.id, creds.urls);
  functions = await startTestFunctions({ only: ["decrypt-connection-string"] });
}, 180_000);
afterAll(async () => { await functions?.stop(); await sql.end(); });

async function invoke(user: { id: string; email: string } | null, body: unknown) {
  const keys = inject("keys");
  const response = await fetch(`${functions.url}/functions/v1/decrypt-connection-string`, {
    method: "POST",
    headers: { "content-type": "application/json", apikey: keys.anonKey, authorization: `Bearer ${user ? await userToken(keys, user) : keys.anonKey}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() as Record<string, any> };
}

describe("decrypt-connection-string through Deno", () => {
  it("gives an owner the connection string via supabase-js, audited, not cached", async () => {
    const keys = inject("keys");
    const supabase = supabaseClient(functions.url, keys.anonKey, await userToken(keys, world.owner));
    const { data, error } = await supabase.functions.invoke("decrypt-connection-string", { body: { organizationId: world.org.id, kind: "app_pooled" } });
    expect(error).toBeNull();
    expect(data.connectionString).toBe(creds.urls.app_pooled);
    const su = superuserClient();
    const [audit] = await su`select actor_user_id, entry_point from public.audit_log where organization_id = ${world.org.id} and action = 'connection.read' order by id desc limit 1`;
    await su.end();
    expect(audit).toMatchObject({ actor_user_id: world.owner.id, entry_point: "decrypt-connection-string" });
  });

  it("answers no-store", async () => {
    const result = await invoke(world.admin, { organizationId: world.org.id });
    expect(result.status).toBe(200);
    expect(result.headers.get("cache-control")).toBe("no-store");
  });

  it("refuses a member with 403 FORBIDDEN and an anonymous caller with 401", async () => {
    const member = await invoke(world.member, { organizationId: world.org.id });
    expect(member.status).toBe(403);
    expect(member.body.error.code).toBe("FORBIDDEN");
    expect(JSON.stringify(member.body)).not.toContain(creds.passwords.app_pooled);
    const anonymous = await invoke(null, { organizationId: world.org.id });
    expect(anonymous.status).toBe(401);
  });

  it("refuses ciphertext-style bodies: unknown fields are a 400 naming them", async () => {
    const result = await invoke(world.owner, { organizationId: world.org.id, encryptedString: "abc" });
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe("VALIDATION_FAILED");
    expect(result.body.error.message).toContain("encryptedString");
  });
});
