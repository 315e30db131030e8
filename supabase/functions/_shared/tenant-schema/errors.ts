/** Failures of the tenant-schema runner. Messages say what an operator should do. */

export type TenantSchemaFailure =
  | "checksum_mismatch" // an applied migration was edited afterwards
  | "unknown_version" // the database has a migration this build does not know
  | "migration_failed" // a pending migration raised; it was rolled back
  | "seed_failed" // a seed file raised; it was rolled back
  | "lock_timeout" // another runner held the tenant lock too long
  | "not_migrated"; // seed requested before any migration

export class TenantSchemaError extends Error {
  override readonly name = "TenantSchemaError";
  readonly kind: TenantSchemaFailure;
  /** Migration version or seed name concerned, when there is one. */
  readonly subject?: string;
  /** SQLSTATE of the underlying database error, when there is one. */
  readonly sqlstate?: string;

  constructor(kind: TenantSchemaFailure, message: string, options: { subject?: string; sqlstate?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.subject = options.subject;
    this.sqlstate = options.sqlstate;
  }
}

export function sqlstateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
