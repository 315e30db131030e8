/**
 * Who is calling. Supabase puts the caller's access token in `Authorization: Bearer …`; service
 * callers (cron, other functions) send a secret API key (`apikey` header, or as the bearer) or the
 * legacy service-role JWT. Tokens are verified here, in the function, against the project's JWKS
 * (or the legacy HS256 secret) whether or not the platform's `verify_jwt` already ran.
 */
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import { AppError } from "./errors.ts";

export type Claims = JWTPayload & { role?: string; email?: string };

export type Caller =
  | { role: "anon"; claims: Claims }
  | { role: "authenticated"; userId: string; claims: Claims }
  | { role: "service_role"; claims: Claims };

export interface AuthConfig {
  /** `SUPABASE_JWKS`: the project's public signing keys. */
  jwks?: JSONWebKeySet;
  /** Legacy HS256 JWT secret, for projects that have not moved to signing keys. */
  jwtSecret?: string;
  /** Secret API keys (`SUPABASE_SECRET_KEYS` values) that identify a service caller. */
  secretKeys: string[];
  /** Clock for the verified-token cache. @default Date.now */
  now?: () => number;
}

export type Authenticate = (request: Request) => Promise<Caller>;

function timingSafeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}

export function createAuthenticator(config: AuthConfig): Authenticate {
  const jwks = config.jwks ? createLocalJWKSet(config.jwks) : undefined;
  const secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;
  if (!jwks && !secret) throw new AppError("CONFIG_INVALID", "No JWT verification key: set SUPABASE_JWKS (or JWT_SECRET for legacy projects).");
  const isSecretKey = (value: string) => config.secretKeys.some((key) => key.length > 0 && timingSafeEqual(key, value));

  // Verified tokens, so a client's repeated requests with one access token are checked once. An
  // entry never outlives the token's `exp` (nor one minute), so expiry is honoured exactly as
  // without the cache; signature checks are the per-request cost this saves.
  const verified = new Map<string, { claims: Claims; untilMs: number }>();
  const CACHE_MAX = 1000;
  const CACHE_TTL_MS = 60_000;

  async function verify(token: string): Promise<Claims> {
    const nowMs = (config.now ?? Date.now)();
    const hit = verified.get(token);
    if (hit && hit.untilMs > nowMs) return hit.claims;
    if (hit) verified.delete(token);
    const claims = await verifySignature(token);
    const expMs = typeof claims.exp === "number" ? claims.exp * 1000 : nowMs;
    if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, { claims, untilMs: Math.min(expMs, nowMs + CACHE_TTL_MS) });
    return claims;
  }

  async function verifySignature(token: string): Promise<Claims> {
    try {
      const header = JSON.parse(atob(token.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/"))) as { alg?: string };
      if (header.alg === "HS256") {
        if (!secret) throw new Error("HS256 token but no JWT secret configured");
        return (await jwtVerify(token, secret, { algorithms: ["HS256"], requiredClaims: ["exp"] })).payload as Claims;
      }
      if (!jwks) throw new Error("asymmetric token but no JWKS configured");
      return (await jwtVerify(token, jwks, { requiredClaims: ["exp"] })).payload as Claims;
    } catch {
      throw new AppError("UNAUTHENTICATED", "Invalid or expired access token. Sign in again and retry.");
    }
  }

  return async (request) => {
    const authorization = request.headers.get("authorization") ?? "";
    const apikey = request.headers.get("apikey") ?? "";
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
    if (bearer && isSecretKey(bearer)) return { role: "service_role", claims: { role: "service_role" } };
    if (bearer) {
      const claims = await verify(bearer);
      if (claims.role === "service_role") return { role: "service_role", claims };
      if (claims.role === "authenticated" && typeof claims.sub === "string") return { role: "authenticated", userId: claims.sub, claims };
      if (claims.role === "anon") {
        // A publishable/anon key as bearer plus a secret key in `apikey` is a service call (cron).
        if (apikey && isSecretKey(apikey)) return { role: "service_role", claims: { role: "service_role" } };
        return { role: "anon", claims };
      }
      throw new AppError("UNAUTHENTICATED", "Access token has no usable role. Sign in again and retry.");
    }
    if (apikey && isSecretKey(apikey)) return { role: "service_role", claims: { role: "service_role" } };
    return { role: "anon", claims: { role: "anon" } };
  };
}

/** A signed-in user or the service role; anonymous → UNAUTHENTICATED with `message`. */
export function requireUserOrService(caller: Caller, message = "Sign in first: send your access token (Authorization: Bearer <token>)."): Exclude<Caller, { role: "anon" }> {
  if (caller.role === "anon") throw new AppError("UNAUTHENTICATED", message);
  return caller;
}

/** The service role only (a secret API key); anyone else → FORBIDDEN with `message`. */
export function requireService(caller: Caller, message = "Only the service role (a secret API key) may call this endpoint."): Extract<Caller, { role: "service_role" }> {
  if (caller.role !== "service_role") throw new AppError("FORBIDDEN", message);
  return caller;
}
