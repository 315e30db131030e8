/**
 * The shipped Neon OpenAPI spec as the emulator's contract: routes are matched
 * against its paths, and parameters and bodies are validated against its
 * schemas (ajv), so a request the spec forbids gets a 400 in Neon's error
 * shape instead of being half-understood.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import YAML from "yaml";
import { Ajv, type ValidateFunction, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { badRequest } from "./errors.ts";

export const SPEC_ID = "neon-openapi";

/** Path of the spec shipped inside @neondatabase/api-client. */
export function specPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@neondatabase/api-client/package.json")), "public-v2-for-users.gen.yaml");
}

// One parse per process: the spec is ~12k lines of YAML.
let cachedSpec: Record<string, any> | undefined;
export function loadSpec(): Record<string, any> {
  cachedSpec ??= YAML.parse(readFileSync(specPath(), "utf8")) as Record<string, any>;
  return cachedSpec;
}

/** An Ajv instance that knows the spec under `neon-openapi#…` (OpenAPI 3.0: `nullable`, int formats). */
export function createSpecAjv(options: { coerceTypes?: boolean } = {}): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: options.coerceTypes ?? false });
  addFormats(ajv);
  // OpenAPI's integer formats; ajv-formats does not define them.
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addSchema(loadSpec(), SPEC_ID);
  return ajv;
}

/** JSON pointer (into the spec) of a `#/components/...` reference or a path node. */
export const pointer = (...segments: string[]) => segments.map((s) => s.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

interface ParamSpec {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Record<string, unknown>;
}

export interface SpecRoute {
  operationId: string;
  method: string;
  template: string;
  mutating: boolean;
  regex: RegExp;
  pathParamNames: string[];
  literalSegments: number;
  validatePath: Map<string, ValidateFunction>;
  validateQuery: ValidateFunction;
  queryTypes: Map<string, ParamSpec>;
  validateBody?: ValidateFunction;
  bodyRequired: boolean;
}

export interface ValidatedRequest {
  path: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => (e.instancePath ? `Error at "${e.instancePath}": ${e.message}` : String(e.message))).join("; ");

export class OpenApiRoutes {
  private readonly routes: SpecRoute[] = [];
  private static cache = new Map<string, OpenApiRoutes>();

  /** One compiled instance per process and route set: compiling takes most of a second. */
  static shared(implemented: Set<string>): OpenApiRoutes {
    const key = [...implemented].sort().join(",");
    let routes = OpenApiRoutes.cache.get(key);
    if (!routes) OpenApiRoutes.cache.set(key, (routes = new OpenApiRoutes(implemented)));
    return routes;
  }

  constructor(implemented?: Set<string>) {
    const spec = loadSpec();
    const ajv = createSpecAjv({ coerceTypes: true });
    const bodyAjv = createSpecAjv();
    const resolveParam = (p: any): ParamSpec => (p.$ref ? this.resolveRef(spec, p.$ref) : p);

    for (const [template, item] of Object.entries<any>(spec.paths)) {
      const shared: ParamSpec[] = (item.parameters ?? []).map(resolveParam);
      for (const method of ["get", "post", "put", "patch", "delete"]) {
        const op = item[method];
        if (!op) continue;
        const operationId: string = op.operationId;
        const lazy = implemented && !implemented.has(operationId);
        const params = new Map<string, ParamSpec>();
        for (const p of [...shared, ...(op.parameters ?? []).map(resolveParam)]) params.set(`${p.in}:${p.name}`, p);
        const pathParamNames: string[] = [];
        const regex = new RegExp("^" + template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_, name: string) => {
          pathParamNames.push(name);
          return "([^/]+)";
        }) + "$");
        const validatePath = new Map<string, ValidateFunction>();
        const queryTypes = new Map<string, ParamSpec>();
        const queryProperties: Record<string, unknown> = {};
        const queryRequired: string[] = [];
        let validateQuery: ValidateFunction = (() => true) as unknown as ValidateFunction;
        let validateBody: ValidateFunction | undefined;
        let bodyRequired = false;
        if (!lazy) {
          for (const p of params.values()) {
            if (p.in === "path") validatePath.set(p.name, ajv.compile(p.schema ?? {}));
            if (p.in === "query") {
              queryTypes.set(p.name, p);
              queryProperties[p.name] = p.schema ?? {};
              if (p.required) queryRequired.push(p.name);
            }
          }
          validateQuery = ajv.compile({ type: "object", properties: queryProperties, required: queryRequired });
          const body = op.requestBody?.$ref ? this.resolveRef(spec, op.requestBody.$ref) : op.requestBody;
          if (body?.content?.["application/json"]?.schema) {
            bodyRequired = Boolean(body.required);
            const base: string = op.requestBody.$ref ?? `#/${pointer("paths", template, method, "requestBody")}`;
            validateBody = bodyAjv.compile({ $ref: `${SPEC_ID}${base}/${pointer("content", "application/json", "schema")}` });
          }
        }
        this.routes.push({
          operationId, method: method.toUpperCase(), template, mutating: method !== "get", regex, pathParamNames,
          literalSegments: template.split("/").filter((s) => s && !s.startsWith("{")).length,
          validatePath, validateQuery, queryTypes, validateBody, bodyRequired,
        });
      }
    }
    // Literal segments win over parameters: `/projects/shared` before `/projects/{project_id}`.
    this.routes.sort((a, b) => b.literalSegments - a.literalSegments);
  }

  private resolveRef(spec: Record<string, any>, ref: string): any {
    return ref.replace(/^#\//, "").split("/").reduce((node, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  }

  /** The spec route for a request path (relative to /api/v2), if any. `allowed` lists methods when only the method is wrong. */
  match(method: string, path: string): { route?: SpecRoute; params: Record<string, string>; allowed: string[] } {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.pathParamNames.forEach((name, i) => {
        const raw = m[i + 1]!;
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          params[name] = raw; // malformed escapes fail the parameter's pattern instead
        }
      });
      return { route, params, allowed };
    }
    return { params: {}, allowed };
  }

  /** Validates parameters and body; throws a 400 ApiError worded like Neon's (kin-openapi) messages. */
  validate(route: SpecRoute, pathParams: Record<string, string>, search: URLSearchParams, rawBody: string): ValidatedRequest {
    for (const [name, value] of Object.entries(pathParams)) {
      const v = route.validatePath.get(name);
      if (v && !v(value)) throw badRequest(`parameter "${name}" in path has an error: ${describe(v.errors)}`);
    }
    const query: Record<string, unknown> = {};
    for (const [name, value] of search) if (route.queryTypes.has(name)) query[name] = value;
    if (!route.validateQuery(query)) {
      const e = route.validateQuery.errors?.[0];
      const name = e?.instancePath.split("/")[1] ?? (e?.params as { missingProperty?: string })?.missingProperty ?? "?";
      throw badRequest(`parameter "${name}" in query has an error: ${e?.keyword === "required" ? "value is required but missing" : e?.message}`);
    }
    let body: unknown = undefined;
    if (rawBody.trim() !== "") {
      try {
        body = JSON.parse(rawBody);
      } catch (err) {
        throw badRequest(`request body has an error: failed to decode request body: ${(err as Error).message}`);
      }
    }
    if (route.validateBody) {
      if (body === undefined) {
        if (route.bodyRequired) throw badRequest("request body has an error: value is required but missing");
      } else if (!route.validateBody(body)) {
        throw badRequest(`request body has an error: doesn't match schema: ${describe(route.validateBody.errors)}`);
      }
    }
    return { path: pathParams, query, body };
  }
}
