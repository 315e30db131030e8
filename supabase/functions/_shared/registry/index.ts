/** Typed access to the central registry. Every function takes the `tx` of withCaller or asService (db.ts). */
export * from "./types.ts";
export * from "./organizations.ts";
export * from "./tenants.ts";
export * from "./credentials.ts";
export * from "./health.ts";
export * from "./tenant-migrations.ts";
export * from "./audit.ts";
export * from "./tenant-connection-resolver.ts";
