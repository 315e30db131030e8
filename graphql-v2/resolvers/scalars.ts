/**
 * `DateTime`: ISO-8601 in UTC. Services may return `Date`s or ISO strings (from jsonb); both
 * serialise the same. A plain scalar config (graphql-tools copies it onto the schema's scalar),
 * so no second copy of `graphql` is involved (see errors.ts).
 */
import type { ValueNode } from "graphql";
import { createGraphQLError } from "graphql-yoga";

function toDate(value: unknown): Date | null {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

function parseInput(value: unknown): string {
  const date = typeof value === "string" ? toDate(value) : null;
  if (!date) throw createGraphQLError("DateTime must be an ISO-8601 string such as 2026-11-23T14:05:00Z.");
  return date.toISOString();
}

export const DateTime = {
  serialize(value: unknown): string {
    const date = toDate(value);
    // A bad value from a service is a bug: a plain Error is masked as INTERNAL and logged.
    if (!date) throw new TypeError(`DateTime cannot represent ${typeof value} value`);
    return date.toISOString();
  },
  parseValue: parseInput,
  parseLiteral(ast: ValueNode): string {
    if (ast.kind !== "StringValue") throw createGraphQLError("DateTime must be an ISO-8601 string.", { nodes: ast });
    return parseInput(ast.value);
  },
};
