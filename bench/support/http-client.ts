/**
 * The benchmarks' HTTP client: node:http over kept-alive connections. The load generator shares
 * the CPU with the stack it measures; `fetch` (undici) spent ≈ 1.5 ms of CPU per request here,
 * as much as the function itself, so it would understate the server path. This one spends ≈ 0.5 ms
 * (postgres.js, the direct path's client, ≈ 0.4 ms).
 */
import { Agent, request } from "node:http";

export interface JsonResponse { status: number; body: unknown }

export function createHttpClient(maxSockets = 64): { postJson(url: string, headers: Record<string, string>, payload: unknown): Promise<JsonResponse>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    postJson(url, headers, payload) {
      const target = new URL(url);
      const body = JSON.stringify(payload);
      return new Promise((resolve, reject) => {
        const outgoing = request({
          host: target.hostname, port: target.port, path: target.pathname + target.search, method: "POST", agent,
          headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            try {
              resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
            } catch (error) {
              reject(error);
            }
          });
        });
        outgoing.on("error", reject);
        outgoing.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
