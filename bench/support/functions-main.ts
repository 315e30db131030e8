/**
 * Child-process entry of `functions-process.ts`: the local functions gateway and its Deno workers.
 * Reads its options as JSON from BENCH_FUNCTIONS_OPTIONS; prints one `ready` line; stops on SIGTERM.
 */
import { startFunctionsServer, type FunctionsServerOptions } from "../../local/functions/gateway.ts";

const options = JSON.parse(process.env.BENCH_FUNCTIONS_OPTIONS ?? "{}") as Omit<FunctionsServerOptions, "onLog">;
const server = await startFunctionsServer({ ...options, onLog: (source, line) => process.stderr.write(`${source}: ${line}\n`) });
const pids = Object.fromEntries((options.only ?? []).map((name) => [name, server.pid(name)]));
process.stdout.write(`ready ${JSON.stringify({ url: server.url, gatewayPid: process.pid, pids })}\n`);
process.once("SIGTERM", () => {
  void server.stop().finally(() => process.exit(0));
});
