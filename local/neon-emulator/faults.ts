/**
 * Fault injection, deterministic for a given seed and request order: every
 * API request consumes the same number of draws from a seeded PRNG whatever
 * the configuration, so changing one probability does not reshuffle the
 * others.
 */

export type InjectedStatus = 423 | 429 | 500 | 503;

export interface RouteFaults {
  /** Added latency in ms: fixed, or uniform in [min, max]. */
  latencyMs?: number | [number, number];
  /** Probability (0..1) of answering with each status instead of running the call. */
  errorRates?: Partial<Record<InjectedStatus, number>>;
  /** Probability that the request is never answered (until the client gives up or the emulator stops). */
  hangRate?: number;
  /** Probability that the call takes effect but its response is lost (connection reset). */
  lostResponseRate?: number;
}

export interface FaultConfig extends RouteFaults {
  /** PRNG seed; the same seed and request sequence give the same faults. */
  seed?: number;
  /** Per-route overrides keyed by operationId (e.g. `createProject`); they replace the global values they set. */
  routes?: Record<string, RouteFaults>;
  /** Probability that a new operation ends in failure instead of `finished`. */
  operationFailureRate?: number;
  /** The status such an operation ends with (default `failed`, which Neon calls retryable; `error` is final). */
  operationFailureStatus?: "failed" | "error";
  /** Endpoint ids whose compute is unreachable: `/sql` and WebSocket fail, direct connections are refused. */
  unreachableEndpoints?: string[];
  /**
   * Added latency (ms) of every `/sql` request to these endpoints (a slow compute). Fixed, no
   * PRNG draw, so API fault sequences stay the same whether or not it is set.
   */
  sqlLatencyMs?: Record<string, number>;
}

export interface FaultDecision {
  latencyMs: number;
  hang: boolean;
  status?: InjectedStatus;
  lostResponse: boolean;
}

/** mulberry32: tiny, fast, good enough for test dice. */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUSES: InjectedStatus[] = [423, 429, 500, 503];

export class Faults {
  private config: FaultConfig = {};
  private random: () => number = createPrng(0);

  constructor(config: FaultConfig = {}) {
    this.set(config);
  }

  /** Replaces the configuration and reseeds the PRNG. */
  set(config: FaultConfig): void {
    this.config = structuredClone(config);
    this.random = createPrng(config.seed ?? 0);
  }

  get(): FaultConfig {
    return structuredClone(this.config);
  }

  /** Decides the fault for one API request. `mutating` gates injected 423s from the global rates. */
  decide(route: string, mutating: boolean): FaultDecision {
    const override = this.config.routes?.[route] ?? {};
    const pickValue = <K extends keyof RouteFaults>(k: K): RouteFaults[K] => (override[k] !== undefined ? override[k] : this.config[k]);
    // Fixed draw order: latency, hang, status, lost response.
    const dLatency = this.random();
    const dHang = this.random();
    const dStatus = this.random();
    const dLost = this.random();

    const latency = pickValue("latencyMs");
    const latencyMs = latency === undefined ? 0 : Array.isArray(latency) ? latency[0] + (latency[1] - latency[0]) * dLatency : latency;

    const rates = { ...(override.errorRates ?? this.config.errorRates ?? {}) };
    // A lock on a read makes no sense on Neon; only route-specific config may ask for it.
    if (!mutating && !override.errorRates?.[423]) delete rates[423];
    let status: InjectedStatus | undefined;
    let cumulative = 0;
    for (const s of STATUSES) {
      cumulative += rates[s] ?? 0;
      if (dStatus < cumulative) {
        status = s;
        break;
      }
    }
    return {
      latencyMs: Math.max(0, Math.round(latencyMs)),
      hang: dHang < (pickValue("hangRate") ?? 0),
      status,
      lostResponse: status === undefined && dLost < (pickValue("lostResponseRate") ?? 0),
    };
  }

  /** How the next operation fails, if it does; always consumes one draw. */
  operationFailure(): "failed" | "error" | undefined {
    return this.random() < (this.config.operationFailureRate ?? 0) ? (this.config.operationFailureStatus ?? "failed") : undefined;
  }

  /** Injected `/sql` latency of an endpoint, in ms (0 when none). */
  sqlLatencyOf(endpointId: string): number {
    return Math.max(0, this.config.sqlLatencyMs?.[endpointId] ?? 0);
  }

  isUnreachable(endpointId: string): boolean {
    return this.config.unreachableEndpoints?.includes(endpointId) ?? false;
  }
}
