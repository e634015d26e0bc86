/**
 * Flush-on-signal for write-back caches that opt in. One process-wide handler per signal serves
 * every registered cache: it flushes them all, then, unless the application listens to the signal
 * itself, re-raises it so the default action (exit) happens as if we had never listened. A second
 * signal during the flush finds no handler of ours and exits at once.
 */
const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type FlushSignal = (typeof SIGNALS)[number];

const flushers = new Set<() => Promise<unknown>>();
let installed = false;

function onSignal(signal: FlushSignal): void {
  uninstall();
  const pending = [...flushers].map((flush) => flush().catch(() => undefined));
  void Promise.all(pending).then(() => {
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    else if (flushers.size > 0) install(); // the application handles the signal and lives on
  });
}

const handlers: Record<FlushSignal, () => void> = {
  SIGINT: () => onSignal("SIGINT"),
  SIGTERM: () => onSignal("SIGTERM"),
};

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) process.once(signal, handlers[signal]);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const signal of SIGNALS) process.off(signal, handlers[signal]);
}

/** Flushes with `flush` on SIGINT/SIGTERM; returns the function that unregisters it. */
export function registerSignalFlush(flush: () => Promise<unknown>): () => void {
  flushers.add(flush);
  install();
  return () => {
    flushers.delete(flush);
    if (flushers.size === 0) uninstall();
  };
}
