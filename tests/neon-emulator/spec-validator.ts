/**
 * Validates response bodies against the OpenAPI spec shipped with
 * @neondatabase/api-client, with ajv. Deliberately independent of the
 * emulator's own spec handling: the spec document is registered as is, and
 * each response schema is referenced by JSON pointer. OpenAPI 3.0 specifics:
 * ajv understands `nullable`; the int32/int64 formats are added here.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import YAML from "yaml";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);
const specFile = join(dirname(require.resolve("@neondatabase/api-client/package.json")), "public-v2-for-users.gen.yaml");
const spec = YAML.parse(readFileSync(specFile, "utf8")) as { paths: Record<string, Record<string, any>>; components: Record<string, any> };

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
ajv.addSchema(spec, "spec");

const escape = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

const operations = new Map<string, { path: string; method: string; op: any }>();
for (const [path, item] of Object.entries(spec.paths)) {
  for (const method of ["get", "post", "put", "patch", "delete"]) if (item[method]) operations.set(item[method].operationId, { path, method, op: item[method] });
}

const cache = new Map<string, ValidateFunction | null>();

/** The validator of an operation's response for a status (`default` when the status is not listed); null when it has no JSON body. */
function validatorFor(operationId: string, status: number): ValidateFunction | null {
  const key = `${operationId} ${status}`;
  if (cache.has(key)) return cache.get(key)!;
  const entry = operations.get(operationId);
  if (!entry) throw new Error(`unknown operationId ${operationId}`);
  const statusKey = entry.op.responses[String(status)] ? String(status) : "default";
  const response = entry.op.responses[statusKey];
  let pointer: string;
  let resolved = response;
  if (response.$ref) {
    pointer = response.$ref as string;
    resolved = (response.$ref as string).replace(/^#\//, "").split("/").reduce((n: any, k: string) => n[k], spec);
  } else {
    pointer = `#/paths/${escape(entry.path)}/${entry.method}/responses/${statusKey}`;
  }
  const validator = resolved.content?.["application/json"]?.schema
    ? ajv.compile({ $ref: `spec${pointer}/content/application~1json/schema` })
    : null;
  cache.set(key, validator);
  return validator;
}

/** Throws unless `body` is what the spec says `operationId` answers with `status`. */
export function assertConforms(operationId: string, status: number, body: unknown): void {
  const validate = validatorFor(operationId, status);
  if (!validate) {
    if (body !== undefined && body !== "" && body !== null) throw new Error(`${operationId} ${status}: the spec defines no body, got ${JSON.stringify(body).slice(0, 200)}`);
    return;
  }
  if (!validate(body)) {
    throw new Error(`${operationId} ${status} does not match the spec: ${ajv.errorsText(validate.errors, { separator: "\n  " })}\nbody: ${JSON.stringify(body).slice(0, 2000)}`);
  }
}

/** Whether the spec lists `status` explicitly for the operation (vs. `default`). */
export const specStatuses = (operationId: string): string[] => Object.keys(operations.get(operationId)?.op.responses ?? {});
