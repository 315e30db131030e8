/**
 * The local project's API keys and JWT signing key, as `supabase start` makes them: an ES256
 * signing key published as SUPABASE_JWKS, legacy anon/service-role JWTs, and the newer opaque
 * publishable/secret keys. Dev keeps them in .local/ so tokens survive restarts; tests make fresh ones.
 */
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

export interface LocalKeys {
  privateJwk: JWK;
  jwks: { keys: JWK[] };
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
  vaultKeyHex: string;
}

const TEN_YEARS = 10 * 365 * 24 * 3600;

export async function signToken(privateJwk: JWK, claims: Record<string, unknown>, expiresInSeconds = 3600): Promise<string> {
  const key = await importJWK(privateJwk, "ES256");
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ iss: "supabase-local", ...claims })
    .setProtectedHeader({ alg: "ES256", kid: privateJwk.kid!, typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(key);
}

export async function generateLocalKeys(): Promise<LocalKeys> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = randomBytes(8).toString("hex");
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  return {
    privateJwk,
    jwks: { keys: [publicJwk] },
    anonKey: await signToken(privateJwk, { role: "anon" }, TEN_YEARS),
    serviceRoleKey: await signToken(privateJwk, { role: "service_role" }, TEN_YEARS),
    publishableKey: `sb_publishable_${randomBytes(16).toString("base64url")}`,
    secretKey: `sb_secret_${randomBytes(24).toString("base64url")}`,
    vaultKeyHex: randomBytes(32).toString("hex"),
  };
}

/** Loads the keys kept in `file`, creating them on first use. */
export async function loadOrCreateLocalKeys(file: string): Promise<LocalKeys> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as LocalKeys;
  const keys = await generateLocalKeys();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

/** An access token for a user, shaped like Supabase Auth's. */
export function userToken(keys: Pick<LocalKeys, "privateJwk">, user: { id: string; email: string }, expiresInSeconds = 3600): Promise<string> {
  return signToken(keys.privateJwk, { sub: user.id, email: user.email, role: "authenticated", aud: "authenticated", aal: "aal1", session_id: crypto.randomUUID() }, expiresInSeconds);
}
