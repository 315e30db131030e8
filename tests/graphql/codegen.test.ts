/**
 * Generated code is committed (the edge bundler runs no codegen), so these tests regenerate it in
 * memory from `codegen.ts` and fail when a committed file differs: change the SDL or an operation
 * without `npm run codegen` and CI fails. Also checks that the schema, its enum maps, the client
 * operations and the Deno import rules agree.
 */
import { describe, expect, it } from "vitest";
import { generate } from "@graphql-codegen/cli";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parse, visit, type OperationDefinitionNode } from "graphql";
import config from "../../codegen.ts";
import * as enumMaps from "../../graphql-v2/resolvers/enums.ts";
import { getSchema } from "../../graphql-v2/schema.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const GENERATED_DIRS = ["graphql-v2/generated", "graphql-v2/client/generated"];

async function generateInMemory(overrides: Partial<typeof config> = {}) {
  const outputs: { filename: string; content: string }[] = await generate({ ...config, ...overrides, cwd: ROOT }, false);
  return outputs.map((output) => ({ file: relative(ROOT, resolve(ROOT, output.filename)), content: output.content }));
}

function filesUnder(dir: string): string[] {
  const absolute = join(ROOT, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("codegen: committed output matches the SDL and operations", () => {
  it("every generated file is up to date (run `npm run codegen` if this fails)", async () => {
    const outputs = await generateInMemory();
    expect(outputs.length).toBeGreaterThanOrEqual(5);
    for (const { file, content } of outputs) {
      const path = join(ROOT, file);
      expect(existsSync(path), `${file} is missing: run npm run codegen`).toBe(true);
      expect(readFileSync(path, "utf8"), `${file} is stale: run npm run codegen`).toBe(content);
    }
    const produced = new Set(outputs.map((o) => o.file));
    const stale = GENERATED_DIRS.flatMap(filesUnder).filter((file) => !produced.has(file));
    expect(stale, "files in generated directories that codegen no longer produces").toEqual([]);
  }, 60_000);

  it("the check catches an SDL change that was not regenerated", async () => {
    const schema = [`${"graphql-v2/schema"}/*.graphql`, "extend type Query { driftProbe: Int }"];
    const outputs = await generateInMemory({ schema });
    const changed = outputs.filter(({ file, content }) => readFileSync(join(ROOT, file), "utf8") !== content).map((o) => o.file);
    expect(changed).toContain("graphql-v2/generated/resolvers-types.ts");
  }, 60_000);

  it("generated relative imports end in .ts (Deno resolves no extensionless paths)", () => {
    const files = ["graphql-v2", "graphql-v2/client"].flatMap((dir) => filesUnder(dir)).filter((f) => f.endsWith(".ts"));
    const offenders = files.flatMap((file) => {
      const text = readFileSync(join(ROOT, file), "utf8");
      return [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)]
        .map((m) => m[1]!)
        .filter((specifier) => !specifier.endsWith(".ts"))
        .map((specifier) => `${file}: ${specifier}`);
    });
    expect(offenders).toEqual([]);
  });
});

describe("schema consistency", () => {
  const schema = getSchema();

  it("every SDL enum has a complete map to registry values", () => {
    const enums = Object.values(schema.getTypeMap())
      .filter((type) => !type.name.startsWith("__") && "getValues" in type && typeof type.getValues === "function");
    const maps = enumMaps as unknown as Record<string, Record<string, string>>;
    for (const type of enums as unknown as { name: string; getValues(): { name: string; value: unknown }[] }[]) {
      const map = maps[type.name];
      expect(map, `no map for enum ${type.name} in resolvers/enums.ts`).toBeDefined();
      for (const value of type.getValues()) {
        expect(value.value, `${type.name}.${value.name}`).toBe(map![value.name]);
      }
      expect(Object.keys(map!).sort()).toEqual(type.getValues().map((v) => v.name).sort());
    }
    expect(enums.map((t) => t.name).sort()).toEqual(Object.keys(enumMaps).filter((k) => /^[A-Z]/.test(k)).sort());
  });

  it("every root field has a client operation (the typed client covers the whole API)", () => {
    const dir = join(ROOT, "graphql-v2/client/operations");
    const used = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".graphql"))) {
      visit(parse(readFileSync(join(dir, file), "utf8")), {
        OperationDefinition(node: OperationDefinitionNode) {
          for (const selection of node.selectionSet.selections) {
            if (selection.kind === "Field") used.add(`${node.operation === "query" ? "Query" : "Mutation"}.${selection.name.value}`);
          }
        },
      });
    }
    const roots = [schema.getQueryType()!, schema.getMutationType()!]
      .flatMap((type) => Object.keys(type.getFields()).map((field) => `${type.name}.${field}`));
    expect(roots.filter((root) => !used.has(root))).toEqual([]);
  });
});
