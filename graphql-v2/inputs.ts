/**
 * zod schemas for resolver arguments. GraphQL has already checked types and enums; these check
 * what the SDL cannot say (UUIDs, ranges, formats). A failure is VALIDATION_FAILED with
 * `extensions.field` naming the argument path (`organizationId`, `input.region`, …).
 */
import { z } from "zod";
import { fromZodError } from "../supabase/functions/_shared/http.ts";
import { validationError } from "../supabase/functions/_shared/errors.ts";
import { IDEMPOTENCY_KEY_RULE, idempotencyKey, regionId as region } from "../supabase/functions/_shared/request-fields.ts";

export function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const result = schema.safeParse(args);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

const organizationId = z.guid({ error: "must be an organization id (a UUID)" });

export const organizationArgs = z.object({ organizationId });

export const tenantHealthArgs = z.object({
  organizationId,
  trendHours: z.int().min(1).max(168).nullish().transform((hours) => hours ?? 24),
});

export const tenantsArgs = z.object({
  first: z.int().min(1).max(100).nullish().transform((first) => first ?? 20),
  after: z.string().min(1).max(512).nullish().transform((after) => after ?? null),
});

export const provisionTenantArgs = z.object({
  input: z.object({ organizationId, region, idempotencyKey: idempotencyKey.nullish() }),
});

export const deprovisionTenantArgs = z.object({
  organizationId,
  confirm: z.string().trim().min(1, "type the organization's name to confirm").max(200),
});

/** The key from `input.idempotencyKey` or the `Idempotency-Key` header; both must agree. */
export function idempotencyKeyOf(fromInput: string | null | undefined, request: Request): string | null {
  const header = request.headers.get("idempotency-key");
  if (header !== null && !idempotencyKey.safeParse(header).success) {
    throw validationError("Idempotency-Key", `Idempotency-Key header: ${IDEMPOTENCY_KEY_RULE}`);
  }
  if (fromInput && header !== null && header !== fromInput) {
    throw validationError("input.idempotencyKey", "input.idempotencyKey differs from the Idempotency-Key header: send one of them.");
  }
  return fromInput ?? header;
}
