/**
 * `/admin/...`: local-only controls for tests and benchmarks (no API key).
 *
 *   GET  /admin/health
 *   GET  /admin/counters            POST /admin/counters/reset
 *   GET  /admin/faults              PUT  /admin/faults   (body: FaultConfig, replaces)
 *   GET  /admin/clock               POST /admin/clock    (body: { advance_ms })
 *   POST /admin/poll                (observe direct connections now)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultConfig } from "./faults.ts";
import { sendJson } from "./http-util.ts";

export interface AdminControls {
  counters(): unknown;
  resetCounters(): void;
  faults(): FaultConfig;
  setFaults(config: FaultConfig): Promise<void>;
  now(): number;
  clockOffset(): number;
  advanceClock(ms: number): void;
  pollActivity(): Promise<void>;
}

export async function handleAdmin(controls: AdminControls, req: IncomingMessage, res: ServerResponse, path: string, rawBody: string): Promise<void> {
  const method = req.method ?? "GET";
  const body = () => (rawBody.trim() ? JSON.parse(rawBody) : {});
  const err = (status: number, message: string) => sendJson(res, status, { code: "", message });
  try {
    switch (`${method} ${path}`) {
      case "GET /admin/health":
        return sendJson(res, 200, { ok: true });
      case "GET /admin/counters":
        return sendJson(res, 200, controls.counters());
      case "POST /admin/counters/reset":
        controls.resetCounters();
        return sendJson(res, 200, { ok: true });
      case "GET /admin/faults":
        return sendJson(res, 200, controls.faults());
      case "PUT /admin/faults":
      case "POST /admin/faults":
        await controls.setFaults(body() as FaultConfig);
        return sendJson(res, 200, controls.faults());
      case "GET /admin/clock":
        return sendJson(res, 200, { now: new Date(controls.now()).toISOString(), offset_ms: controls.clockOffset() });
      case "POST /admin/clock": {
        const advance = Number(body().advance_ms);
        if (!Number.isFinite(advance) || advance < 0) return err(400, "advance_ms must be a non-negative number");
        controls.advanceClock(advance);
        return sendJson(res, 200, { now: new Date(controls.now()).toISOString(), offset_ms: controls.clockOffset() });
      }
      case "POST /admin/poll":
        await controls.pollActivity();
        return sendJson(res, 200, { ok: true });
      default:
        return err(404, "not found");
    }
  } catch (e) {
    return err(400, (e as Error).message);
  }
}
