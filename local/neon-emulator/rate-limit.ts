/**
 * Neon's documented API limits, per API key (an "account" here): 700
 * requests per minute, and bursts of 40 requests per second per route.
 * Sliding windows over the emulator clock; rejected requests do not count.
 */

export interface RateLimitOptions {
  /** Requests per rolling minute per key (Neon: 700). */
  perMinute: number;
  /** Requests per rolling second per key and route (Neon: 40). */
  perRoutePerSecond: number;
}

export const NEON_RATE_LIMITS: RateLimitOptions = { perMinute: 700, perRoutePerSecond: 40 };

/** Timestamps of accepted requests inside a window, oldest first. */
class Window {
  private times: number[] = [];
  private head = 0;

  constructor(private readonly spanMs: number, private readonly limit: number) {}

  private prune(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.spanMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  full(now: number): boolean {
    this.prune(now);
    return this.times.length - this.head >= this.limit;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

export class RateLimiter {
  private readonly perKey = new Map<string, Window>();
  private readonly perRoute = new Map<string, Window>();

  constructor(private readonly options: RateLimitOptions | false) {}

  /** Records the request and returns true when it is within the limits. */
  allow(key: string, route: string, now: number): boolean {
    if (!this.options) return true;
    let minute = this.perKey.get(key);
    if (!minute) this.perKey.set(key, (minute = new Window(60_000, this.options.perMinute)));
    const routeKey = `${key}\u0000${route}`;
    let second = this.perRoute.get(routeKey);
    if (!second) this.perRoute.set(routeKey, (second = new Window(1_000, this.options.perRoutePerSecond)));
    if (minute.full(now) || second.full(now)) return false;
    minute.add(now);
    second.add(now);
    return true;
  }

  reset(): void {
    this.perKey.clear();
    this.perRoute.clear();
  }
}
