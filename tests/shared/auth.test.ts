/** Token verification: valid tokens map to callers; forged, expired and role-less tokens are refused, cached or not. */
import { describe, it, expect, inject } from "vitest";
import { createAuthenticator } from "../../supabase/functions/_shared/auth.ts";
import { importJWK, SignJWT } from "jose";
import { generateLocalKeys, signToken, userToken } from "../../local/supabase/keys.ts";

const keys = inject("keys");
const authenticate = createAuthenticator({ jwks: keys.jwks, secretKeys: [keys.secretKey] });
const request = (headers: Record<string, string>) => new Request("http://x/", { headers });
const user = { id: crypto.randomUUID(), email: "u@example.com" };

describe("createAuthenticator", () => {
  it("maps a user token to an authenticated caller, the same on a repeat (cache)", async () => {
    const token = await userToken(keys, user);
    for (let i = 0; i < 2; i++) {
      expect(await authenticate(request({ authorization: `Bearer ${token}` }))).toMatchObject({ role: "authenticated", userId: user.id });
    }
  });

  it("refuses a token that expired, even after it was accepted once", async () => {
    const token = await signToken(keys.privateJwk, { sub: user.id, role: "authenticated" }, 1);
    expect((await authenticate(request({ authorization: `Bearer ${token}` }))).role).toBe("authenticated");
    await new Promise((r) => setTimeout(r, 2100));
    await expect(authenticate(request({ authorization: `Bearer ${token}` }))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("refuses a correctly signed token that never expires (no exp claim)", async () => {
    const key = await importJWK(keys.privateJwk, "ES256");
    const forever = await new SignJWT({ sub: user.id, role: "authenticated" }).setProtectedHeader({ alg: "ES256", kid: keys.privateJwk.kid! }).sign(key);
    await expect(authenticate(request({ authorization: `Bearer ${forever}` }))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("refuses forged tokens and tokens without a usable role", async () => {
    const forged = await userToken(await generateLocalKeys(), user);
    await expect(authenticate(request({ authorization: `Bearer ${forged}` }))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const roleless = await signToken(keys.privateJwk, { sub: user.id });
    await expect(authenticate(request({ authorization: `Bearer ${roleless}` }))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("treats the secret key as the service role and nothing as anonymous", async () => {
    expect((await authenticate(request({ apikey: keys.secretKey }))).role).toBe("service_role");
    expect((await authenticate(request({ authorization: `Bearer ${keys.secretKey}` }))).role).toBe("service_role");
    expect((await authenticate(request({}))).role).toBe("anon");
    expect((await authenticate(request({ apikey: "sb_secret_other" }))).role).toBe("anon");
  });
});
