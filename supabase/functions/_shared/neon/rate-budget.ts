/**
 * Client-side request budget for the Neon API, awaited before every HTTP attempt (retries and
 * operation polls included). Neon allows 700 requests/minute per account and bursts of 40
 * requests/second per route; above that it answers 429.
 *
 * Each limit is a rolling window ("at most N sends in any window of W ms") rather than a refilling
 * token bucket: a bucket of capacity C admits C + rate·W requests in a window, so it cannot
 * promise to stay under Neon's documented count, while a window log can, for the price of N
 * timestamps. Waiters queue FIFO per route, then FIFO for the account-wide window, so a saturated
 * route never blocks other routes. A 429 pauses every route until its Retry-After (or backoff)
 * has passed, because it means the account, not just this call, is over budget.
 *
 * Scope: one budget per JavaScript process (edge isolate). Several isolates share one Neon
 * account, so this budget lowers but cannot eliminate 429s; the gateway still retries them.
 */
import { sleep } from "../backoff.ts";

export interface RateLimits {
  /** Account-wide requests per rolling minute. @default 700 */
  perMinute: number;
  /** Requests per rolling second for one route (method + path template). @default 36 (`CLIENT_RATE_LIMITS`) */
  perSecondPerRoute: number;
}

export const NEON_RATE_LIMITS: RateLimits = { perMinute: 700, perSecondPerRoute: 40 };

/**
 * What we send by default: the account budget as Neon publishes it, and the per-route burst 10%
 * under Neon's 40/s. Requests leave evenly spaced but arrive with network jitter, so a window that
 * is exactly full here can hold one request too many at Neon (measured: 27 × 429 for 100
 * concurrent creates at 40/s, none at 36/s).
 */
export const CLIENT_RATE_LIMITS: RateLimits = { perMinute: 700, perSecondPerRoute: 36 };

export interface RateBudget {
  readonly limits: RateLimits;
  /** Resolves when a request on `route` may be sent; returns the milliseconds spent waiting. */
  acquire(route: string): Promise<number>;
  /** Holds back every route until `untilMs` (clock time), e.g. after a 429. */
  pauseUntil(untilMs: number): void;
}

export interface RateBudgetDeps {
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Timestamps of the last `limit` sends; `waitMs` is how long until one more may go. */
class RollingWindow {
  private readonly stamps: number[] = [];
  constructor(private readonly limit: number, private readonly windowMs: number) {}

  waitMs(now: number): number {
    while (this.stamps.length > 0 && this.stamps[0]! <= now - this.windowMs) this.stamps.shift();
    return this.stamps.length < this.limit ? 0 : this.stamps[0]! + this.windowMs - now;
  }

  record(now: number): void {
    this.stamps.push(now);
  }
}

/** Runs tasks one after another, in call order. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export function createRateBudget(limits: RateLimits, deps: RateBudgetDeps): RateBudget {
  if (!(limits.perMinute >= 1 && limits.perSecondPerRoute >= 1)) {
    throw new Error(`Neon rate limits must be at least 1 request (got ${limits.perMinute}/min, ${limits.perSecondPerRoute}/s per route).`);
  }
  const account = new RollingWindow(limits.perMinute, 60_000);
  const accountQueue = new SerialQueue();
  const routes = new Map<string, { window: RollingWindow; queue: SerialQueue; lastSent: number }>();
  let pausedUntil = 0;

  // Sends on a route are also spaced evenly (1/limit of a second apart) instead of leaving in one
  // burst: a burst that leaves within the window can arrive bunched with the next one (network and
  // server jitter), and Neon counts arrivals. Pacing keeps arrivals spread too.
  const spacingMs = 1_000 / limits.perSecondPerRoute;
  const routeState = (route: string) => {
    let state = routes.get(route);
    if (!state) {
      state = { window: new RollingWindow(limits.perSecondPerRoute, 1_000), queue: new SerialQueue(), lastSent: -Infinity };
      routes.set(route, state);
    }
    return state;
  };

  const waitUntilFree = async (waitMs: (now: number) => number) => {
    for (;;) {
      const wait = waitMs(deps.clock());
      if (wait <= 0) return;
      await deps.sleep(wait);
    }
  };

  return {
    limits,
    acquire(route) {
      const started = deps.clock();
      const state = routeState(route);
      return state.queue.run(async () => {
        await waitUntilFree((now) => Math.max(state.window.waitMs(now), state.lastSent + spacingMs - now));
        await accountQueue.run(async () => {
          await waitUntilFree((now) => Math.max(account.waitMs(now), pausedUntil - now));
          // Recorded in both windows at once, with no await in between: the route window cannot
          // fill while we waited, because its queue admits one waiter at a time.
          const now = deps.clock();
          account.record(now);
          state.window.record(now);
          state.lastSent = now;
        });
        return deps.clock() - started;
      });
    },
    pauseUntil(untilMs) {
      pausedUntil = Math.max(pausedUntil, untilMs);
    },
  };
}

let processBudget: RateBudget | undefined;

/**
 * The budget shared by every gateway in this process. The first caller fixes the limits; asking
 * for different limits later is a wiring mistake and throws.
 */
export function processRateBudget(limits: RateLimits = CLIENT_RATE_LIMITS): RateBudget {
  if (!processBudget) {
    processBudget = createRateBudget(limits, { clock: () => Date.now(), sleep });
  } else if (processBudget.limits.perMinute !== limits.perMinute || processBudget.limits.perSecondPerRoute !== limits.perSecondPerRoute) {
    throw new Error("The process-wide Neon rate budget already exists with other limits; configure NEON_RATE_* once per process.");
  }
  return processBudget;
}
