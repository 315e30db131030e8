/**
 * Per-key token buckets, in memory, per isolate. Good enough to blunt a single client hammering
 * an endpoint (each isolate enforces its own budget, so the effective limit is per isolate); use a
 * shared store when a hard global limit matters.
 */
export interface RateLimitDecision {
  allowed: boolean;
  /** Tokens left after this request. */
  remaining: number;
  /** When refused: seconds until one token is available. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Takes `cost` tokens from `key`'s bucket if it has them. */
  take(key: string, cost?: number): RateLimitDecision;
}

export interface TokenBucketOptions {
  /** Bucket size: the burst allowed. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
  /** Buckets kept at most; the least recently used ones are forgotten beyond that (default 10,000). */
  maxKeys?: number;
}

interface Bucket { tokens: number; updatedAt: number }

export function createTokenBucketRateLimiter(options: TokenBucketOptions): RateLimiter {
  if (!(options.capacity > 0) || !(options.refillPerSecond > 0)) throw new Error("rate limiter: capacity and refillPerSecond must be positive");
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const buckets = new Map<string, Bucket>();

  return {
    take(key, cost = 1) {
      const at = now();
      const previous = buckets.get(key);
      const elapsedSeconds = previous ? Math.max(0, at - previous.updatedAt) / 1000 : 0;
      const tokens = previous ? Math.min(options.capacity, previous.tokens + elapsedSeconds * options.refillPerSecond) : options.capacity;
      buckets.delete(key); // re-insert: Map order is our LRU order
      if (tokens >= cost) {
        buckets.set(key, { tokens: tokens - cost, updatedAt: at });
        if (buckets.size > maxKeys) {
          const [oldest] = buckets.keys();
          if (oldest !== undefined) buckets.delete(oldest);
        }
        return { allowed: true, remaining: Math.floor(tokens - cost), retryAfterSeconds: 0 };
      }
      buckets.set(key, { tokens, updatedAt: at });
      return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((cost - tokens) / options.refillPerSecond)) };
    },
  };
}
