/** A manual clock whose `sleep` advances time instantly and records each wait. */
export interface FakeTime {
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  advance(ms: number): void;
  /** Every `sleep` duration, in call order. */
  sleeps: number[];
}

export function fakeTime(start = 1_700_000_000_000): FakeTime {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
    advance: (ms) => void (now += ms),
    sleeps,
  };
}
