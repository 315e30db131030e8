/** Every function's deno.json pins exactly what the root deno.json pins, and that is what package.json pins. */
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../local/supabase/database.ts";
import { readFunctionConfigs } from "../../local/functions/gateway.ts";

const read = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const root = read(join(REPO_ROOT, "deno.json")) as { imports: Record<string, string> };
const pkg = read(join(REPO_ROOT, "package.json")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe("deno import maps", () => {
  it("root deno.json pins the package.json versions", () => {
    for (const [name, specifier] of Object.entries(root.imports)) {
      const match = /^npm:(@?[^@]+)@(.+)$/.exec(specifier);
      expect(match, `${name} must be an npm: specifier with a version`).not.toBeNull();
      expect(match![1]).toBe(name);
      expect(match![2], `${name} version`).toBe(pkg.dependencies[name] ?? pkg.devDependencies[name]);
    }
  });

  for (const fn of readFunctionConfigs()) {
    it(`${fn.name}/deno.json matches the root import map (run: npx tsx local/sync-deno-json.ts)`, () => {
      expect(read(fn.importMap).imports).toEqual(root.imports);
    });
  }
});
