/**
 * Periodic callbacks for sampling and monitoring. Injected, so tests drive monitoring with a fake
 * clock instead of waiting for real intervals.
 */
export interface Scheduler {
  /** Calls `callback` every `ms` milliseconds until the returned function is called. */
  every(ms: number, callback: () => void): () => void;
}

/** Real timers, unref'd so that analytics never keeps a process alive. */
export const timerScheduler: Scheduler = {
  every(ms, callback) {
    const handle = setInterval(callback, ms);
    handle.unref();
    return () => clearInterval(handle);
  },
};
