/**
 * npm run bench:graphql — load on `tenantHealth` (owners) and `tenants` (operator) through the real
 * graphql-v2 function (Deno, behind the local gateway), next to the same SQL run directly through
 * `postgres` (same transaction shape — `readAsCaller` with the token's claims — and statements).
 * Prints requests/s, p50/p99, CPU per request of each process and the GraphQL/direct ratio.
 *   Options: --tenants N (200)  --seconds S (8)  --concurrency C (8)
 */
import { startBenchStack, load, percentile, argValue, processCpuMs, postgresCpuMs } from "./support/stack.ts";
import { startFunctionsProcess } from "./support/functions-process.ts";
import { createHttpClient } from "./support/http-client.ts";
import { seedHealthReaders } from "./support/seed.ts";
import { functionEnv } from "../local/supabase/function-env.ts";
import { freePort } from "../local/postgres.ts";
import { signToken, userToken } from "../local/supabase/keys.ts";
import { createSqlClient, readAsCaller, type Sql } from "../supabase/functions/_shared/db.ts";
import { getTenantHealth } from "../supabase/functions/_shared/health/trend.ts";
import { tenantPage } from "../supabase/functions/_shared/services/tenant-records.ts";
import type { Caller, Claims } from "../supabase/functions/_shared/auth.ts";

const TENANTS = argValue("tenants", 200);
const SECONDS = argValue("seconds", 8);
const CONCURRENCY = argValue("concurrency", 8);

interface Sides { gatewayPid?: number; functionPid?: number; dataDir: string }

/** Runs one load and prints throughput, latency and where the CPU went, per request. */
async function measure(label: string, sides: Sides, task: (worker: number, i: number) => Promise<void>): Promise<number> {
  const before = { gateway: processCpuMs(sides.gatewayPid), fn: processCpuMs(sides.functionPid), db: postgresCpuMs(sides.dataDir) };
  const result = await load(CONCURRENCY, SECONDS, task);
  const perRequest = (start: number | undefined, end: number | undefined) =>
    start === undefined || end === undefined || result.latencies.length === 0 ? "  –  " : (((end - start) * 1000) / result.latencies.length).toFixed(0).padStart(5);
  const rps = result.latencies.length / result.wallSeconds;
  console.log(`  ${label.padEnd(26)} ${rps.toFixed(0).padStart(5)} req/s  p50 ${percentile(result.latencies, 50).toFixed(2).padStart(6)} ms  p99 ${percentile(result.latencies, 99).toFixed(2).padStart(6)} ms  errors ${result.errors}` +
    `   CPU µs/req: client ${perRequest(0, result.clientCpuMs)} gateway ${perRequest(before.gateway, processCpuMs(sides.gatewayPid))} function ${perRequest(before.fn, processCpuMs(sides.functionPid))} db ${perRequest(before.db, postgresCpuMs(sides.dataDir))}`);
  return rps;
}

async function main() {
  const stack = await startBenchStack({ max_connections: 200 });
  const users = await seedHealthReaders(stack.pg.superuserUrl, TENANTS);
  const port = await freePort();
  const functions = await startFunctionsProcess({
    port, jwks: stack.keys.jwks, apiKeys: [stack.keys.secretKey], only: ["graphql-v2"],
    env: functionEnv({ apiUrl: `http://127.0.0.1:${port}`, dbUrl: stack.dbUrl, keys: stack.keys, extra: { LOG_LEVEL: "warn", NEON_API_KEY: "unused", NEON_API_URL: "http://127.0.0.1:9/api/v2" } }),
  });
  const tokens = await Promise.all(users.map((u) => userToken(stack.keys, u, 3600)));
  const operatorId = users[0]!.id;
  const operatorToken = await signToken(stack.keys.privateJwk, { sub: operatorId, role: "authenticated", aud: "authenticated", app_metadata: { platform_role: "operator" } });
  const sql: Sql = createSqlClient(stack.dbUrl, { max: 4 }); // the function's pool size
  const url = `${functions.url}/functions/v1/graphql-v2`;
  const healthQuery = `query($org: ID!) { tenantHealth(organizationId: $org, trendHours: 24) { status latest { status checkedAt latencyMs } trend { bucketStart status checks avgLatencyMs } } }`;
  const tenantsQuery = `{ tenants(first: 20, status: ACTIVE) { edges { cursor node { id organizationId organizationName status healthStatus } } pageInfo { hasNextPage endCursor } } }`;
  const http = createHttpClient();
  const post = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await http.postJson(url, { authorization: `Bearer ${token}` }, { query, variables });
    if (response.status !== 200 || (response.body as { errors?: unknown[] }).errors) throw new Error(JSON.stringify(response.body));
  };
  // The direct path sets the very claims the function does: the verified token's payload.
  const payloadOf = (token: string): Claims => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Claims;
  const callers: Caller[] = users.map((u, i) => ({ role: "authenticated", userId: u.id, claims: payloadOf(tokens[i]!) }));
  const callerOf = (i: number): Caller => callers[i]!;
  const operator: Caller = { role: "authenticated", userId: operatorId, claims: payloadOf(operatorToken) };
  const viaGraphQL: Sides = { gatewayPid: functions.gatewayPid, functionPid: functions.functionPids["graphql-v2"], dataDir: stack.pg.dataDir };
  const direct: Sides = { dataDir: stack.pg.dataDir };

  // Warm up both paths (JIT, connection pools, prepared statements, verified tokens).
  await load(CONCURRENCY, 2, (w, i) => post(tokens[(w * 997 + i) % TENANTS]!, healthQuery, { org: users[(w * 997 + i) % TENANTS]!.org }));
  await load(CONCURRENCY, 1, () => post(operatorToken, tenantsQuery));
  console.log(`bench:graphql — ${TENANTS} tenants × 48 health checks, concurrency ${CONCURRENCY}, ${SECONDS} s per run, PostgreSQL ${stack.pg.majorVersion}`);
  const results: Record<string, number> = {};
  results.healthGraphql = await measure("tenantHealth via GraphQL", viaGraphQL, (w, i) => { const k = (w * 997 + i) % TENANTS; return post(tokens[k]!, healthQuery, { org: users[k]!.org }); });
  results.healthDirect = await measure("tenantHealth direct SQL", direct, async (w, i) => { const k = (w * 997 + i) % TENANTS; await readAsCaller(sql, callerOf(k), (tx) => getTenantHealth(tx, users[k]!.org, { trendHours: 24 })); });
  results.tenantsGraphql = await measure("tenants via GraphQL", viaGraphQL, () => post(operatorToken, tenantsQuery));
  results.tenantsDirect = await measure("tenants direct SQL", direct, async () => { await readAsCaller(sql, operator, (tx) => Promise.all([tx`select public.is_platform_operator()`, tenantPage(tx, { status: "active", first: 20, after: null })])); });
  console.log(`  ratio GraphQL/direct: tenantHealth ${(results.healthGraphql! / results.healthDirect!).toFixed(2)}, tenants ${(results.tenantsGraphql! / results.tenantsDirect!).toFixed(2)} (target ≥ 0.50)`);
  await sql.end();
  http.close();
  await functions.stop();
  await stack.stop();
}

main().catch((error) => { console.error(error); process.exit(1); });
