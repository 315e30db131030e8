/**
 * Configuration is parsed once, at the entrypoint, from a plain record of environment values.
 * A bad or missing key fails fast with one message naming every problem.
 */
import { z } from "zod";
import { AppError } from "./errors.ts";

export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join(".") || "(config)";
    const missing = issue.code === "invalid_type" && env[key] === undefined;
    return missing ? `${key} is missing` : `${key}: ${issue.message}`;
  });
  throw new AppError("CONFIG_INVALID", `Invalid configuration: ${problems.join("; ")}. Set these as function secrets (supabase secrets set) or in .env.local for local development.`);
}

/** Env values are strings: helpers for the common shapes. */
export const env = {
  url: () => z.string().url(),
  int: (fallback: number) => z.coerce.number().int().default(fallback),
  bool: (fallback: boolean) => z.enum(["true", "false", "1", "0"]).default(fallback ? "true" : "false").transform((v) => v === "true" || v === "1"),
  json: <S extends z.ZodType>(schema: S) => z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be valid JSON" });
      return z.NEVER;
    }
  }).pipe(schema),
};
