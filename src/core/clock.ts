/**
 * Time source for every TTL, sweep and window in victor-cache. Injected, so tests drive time
 * with a fake clock instead of sleeping.
 */
export interface Clock {
  /** Milliseconds. Never goes backwards. */
  now(): number;
}

/**
 * Monotonic, but anchored to the wall clock at start-up: expiry times are persisted in L2 and
 * compared by other processes, so they must mean epoch milliseconds, while a wall-clock jump
 * backwards (NTP) must not resurrect expired L1 entries.
 */
export function createSystemClock(): Clock {
  const origin = Date.now() - performance.now();
  return { now: () => origin + performance.now() };
}

/** The process-wide default clock. */
export const systemClock: Clock = createSystemClock();
