/**
 * The emulator's clock. Operation progress, endpoint auto-suspend and rate
 * windows all read it, so tests can jump forward (e.g. past a 300 s suspend
 * timeout) instead of sleeping.
 */
export interface Clock {
  now(): number;
  /** Moves the clock forward by `ms` (never backwards). */
  advance(ms: number): void;
  /** Current offset from the wall clock, in ms. */
  offset(): number;
}

export function createClock(base: () => number = Date.now): Clock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error("clock can only move forward");
      offset += ms;
    },
    offset: () => offset,
  };
}

/** Neon's timestamp style: ISO 8601 in UTC without milliseconds. */
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
