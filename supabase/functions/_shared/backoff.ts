/**
 * Waiting and backoff, shared by the Neon gateway (retries, rate budget, operation polls), the provisioning
 * engine (step retries, lease heartbeat) and health alert delivery. Runtime-agnostic.
 */

/** Resolves after `ms` milliseconds (Web-standard `setTimeout`). */
export const sleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Exponential backoff with "equal jitter": the step doubles from `baseMs` per retry (retry 1 waits
 * about `baseMs`), capped at `maxMs`; half the step is fixed, half random. Full jitter can draw
 * ~0 ms repeatedly, which turns a 423 storm into a hot loop against a locked project.
 */
export function equalJitterBackoff(baseMs: number, maxMs: number, retryNumber: number, random: () => number): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
