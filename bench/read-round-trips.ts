/**
 * npm run bench:reads — what a caller-scoped registry read costs when the database is across a
 * network, as it is for a deployed function (SUPABASE_DB_URL is a direct connection in the same
 * region). A local TCP relay delays every chunk in each direction; the one-round-trip time it
 * yields is measured first (`select 1`). Then the tenantHealth read, one at a time:
 *   - withCaller, unprepared statements (postgres.js describes each parameterised one first)
 *   - withCaller, prepared (begin, claims, read, commit: four round trips)
 *   - readAsCaller, prepared (begin, claims and read pipelined, then commit: two round trips)
 *   Options: --delay-ms D (1, each direction; timers make it at least 1)  --reads N (300)
 */
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import postgres from "postgres";
import { startBenchStack, percentile, argValue } from "./support/stack.ts";
import { seedHealthReaders } from "./support/seed.ts";
import { readAsCaller, withCaller, type Sql } from "../supabase/functions/_shared/db.ts";
import { getTenantHealth } from "../supabase/functions/_shared/health/trend.ts";
import type { Caller } from "../supabase/functions/_shared/auth.ts";

const DELAY_MS = argValue("delay-ms", 1);
const READS = argValue("reads", 300);

/** A TCP relay to `target` that holds every chunk for `delayMs` in each direction. */
async function startDelayRelay(target: URL, delayMs: number): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port), noDelay: true });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => { sockets.delete(socket); client.destroy(); upstream.destroy(); });
    }
    client.on("data", (chunk) => setTimeout(() => upstream.write(chunk), delayMs));
    upstream.on("data", (chunk) => setTimeout(() => client.write(chunk), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close() { for (const socket of sockets) socket.destroy(); server.close(); },
  };
}

async function timeReads(label: string, read: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await read(i); // connection, prepared statements, plans
  const latencies: number[] = [];
  for (let i = 0; i < READS; i++) {
    const started = performance.now();
    await read(i);
    latencies.push(performance.now() - started);
  }
  const p50 = percentile(latencies, 50);
  console.log(`  ${label.padEnd(46)} p50 ${p50.toFixed(2).padStart(6)} ms   p99 ${percentile(latencies, 99).toFixed(2).padStart(6)} ms`);
  return p50;
}

async function main() {
  const stack = await startBenchStack();
  const owners = await seedHealthReaders(stack.pg.superuserUrl, 50);
  const relay = await startDelayRelay(new URL(stack.dbUrl), DELAY_MS);
  const url = new URL(stack.dbUrl);
  url.port = String(relay.port);
  const client = (prepare: boolean): Sql => postgres(url.toString(), { max: 1, prepare, onnotice: () => {} });
  const callerOf = (i: number): Caller => ({ role: "authenticated", userId: owners[i % owners.length]!.id, claims: { sub: owners[i % owners.length]!.id, role: "authenticated" } });
  const health = (i: number) => (tx: Parameters<typeof getTenantHealth>[0]) => getTenantHealth(tx, owners[i % owners.length]!.org, { trendHours: 24 });

  console.log(`bench:reads — tenantHealth as its owner, one read at a time, ${READS} reads, ${DELAY_MS} ms added each way, PostgreSQL ${stack.pg.majorVersion}`);
  const clients = { plain: client(true), unprepared: client(false), prepared: client(true), pipelined: client(true) };
  const roundTrip = await timeReads("one round trip (select 1)", () => clients.plain`select 1`);
  const results = [
    ["withCaller, unprepared", await timeReads("withCaller, unprepared statements", (i) => withCaller(clients.unprepared, callerOf(i), health(i)))],
    ["withCaller, prepared", await timeReads("withCaller, prepared statements", (i) => withCaller(clients.prepared, callerOf(i), health(i)))],
    ["readAsCaller", await timeReads("readAsCaller (pipelined), prepared statements", (i) => readAsCaller(clients.pipelined, callerOf(i), health(i)))],
  ] as const;
  console.log(`  in round trips (p50 / one round trip): ${results.map(([label, p50]) => `${label} ${(p50 / roundTrip).toFixed(1)}`).join(", ")}`);
  await Promise.all(Object.values(clients).map((sql) => sql.end()));
  relay.close();
  await stack.stop();
}

main().catch((error) => { console.error(error); process.exit(1); });
