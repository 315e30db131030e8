/**
 * Runs one edge function under real Deno the way Supabase's edge runtime does: the function's
 * `index.ts` calls `Deno.serve(handler)`; we capture that handler and serve it on the port the
 * local gateway gave us. `EdgeRuntime.waitUntil` keeps background work alive (policy per_worker).
 *
 * Usage: deno run --config supabase/functions/<name>/deno.json -A local/functions/deno-worker.ts <name> <port>
 * This file runs only under Deno and is never deployed.
 */
const [name, portText] = Deno.args;
if (!name || !portText) throw new Error("usage: worker.ts <function-name> <port>");

type ServeHandler = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Response | Promise<Response>;
const pending = new Set<Promise<unknown>>();

(globalThis as unknown as { EdgeRuntime: unknown }).EdgeRuntime = {
  waitUntil<T>(promise: Promise<T>): Promise<T> {
    pending.add(promise);
    promise.catch((error) => console.error(JSON.stringify({ level: "error", message: "background task failed", error: String(error) }))).finally(() => pending.delete(promise));
    return promise;
  },
};

const originalServe = Deno.serve.bind(Deno);
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (...args: any[]) => {
  const handler: ServeHandler | undefined = typeof args[0] === "function" ? args[0] : typeof args[1] === "function" ? args[1] : args[0]?.handler;
  if (!handler) throw new Error(`${name}: Deno.serve was called without a handler`);
  return originalServe({
    port: Number(portText),
    hostname: "127.0.0.1",
    onListen: () => console.log(JSON.stringify({ level: "info", message: "worker ready", function: name })),
  }, handler);
};

await import(new URL(`../../supabase/functions/${name}/index.ts`, import.meta.url).href);
